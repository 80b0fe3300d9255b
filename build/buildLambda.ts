import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

/**
 * The verifier for Lambda: minified ESM (dist/lambda/index.mjs) with everything inside, AWS SDK
 * included, so the deployed code runs the versions we tested. Code splitting puts each launcher (and its
 * AWS client) in its own chunk, loaded on first use (npm run bench reports the entry's size and import).
 */
export async function buildLambda(outdir = 'dist/lambda'): Promise<string> {
  await rm(outdir, { recursive: true, force: true });
  await build({
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
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
