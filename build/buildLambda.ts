import { build } from 'esbuild';

/**
 * The verifier for Lambda: one minified ESM file (dist/lambda/index.mjs) with everything inside,
 * AWS SDK included, so the deployed code runs the versions we tested (npm run bench reports its size).
 */
export async function buildLambda(outdir = 'dist/lambda'): Promise<string> {
  await build({
    entryPoints: { index: 'backend/entry/lambda.ts' },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    logLevel: 'error',
    legalComments: 'linked',
    // Some dependencies are CommonJS and call require(): give the ESM bundle one.
    banner: { js: "import{createRequire}from'module';const require=createRequire(import.meta.url);" },
  });
  return outdir;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await buildLambda());
