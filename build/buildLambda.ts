import { build, type Plugin } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { assertColdStart, coldStart, type ColdStart } from './lambdaColdStart';

const ENTRY = 'backend/entry/lambda.ts';
/** The handler as the deploy stack names it: `index.mjs`, export `handler`. */
export const LAMBDA_HANDLER = 'index.handler';

/**
 * The verifier for Lambda: minified ESM (index.mjs) with everything inside, AWS SDK included, so the
 * deployed code runs the versions we tested (never the runtime's own SDK copy). Code splitting puts
 * the SSM catalog, each launcher (with its AWS client) and WebAuthn registration in their own chunks,
 * loaded on first use; build/lambdaColdStart.ts refuses a bundle whose start path grows back.
 *
 * `mainFields: ['module', 'main']` takes the packages' ES module builds. With their CommonJS builds, a
 * dynamic `import()` of a split chunk exposes only `default` (esbuild issue 3245): named imports such
 * as `LambdaClient` came back undefined and four job types could not launch while every source-level
 * test passed. tests/artifact/lambdaBundle.test.ts runs this bundle as Lambda does.
 */
export async function buildLambda(outdir = 'dist/lambda'): Promise<string> {
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    entryPoints: { index: ENTRY },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'error',
    legalComments: 'linked',
    plugins: [sideEffectFree('@simplewebauthn/server')],
    // Some dependencies are CommonJS and call require(): give the ESM bundle one.
    banner: { js: "import{createRequire}from'module';const require=createRequire(import.meta.url);" },
  });
  const start = coldStart(result.metafile, ENTRY);
  assertColdStart(start);
  // Beside the bundle, not in it (the deploy zips the folder): what a cold start loads, for the bench.
  await writeFile(`${outdir}.coldstart.json`, JSON.stringify(start, null, 1));
  return outdir;
}

export const readColdStart = async (outdir: string): Promise<ColdStart> => JSON.parse(await readFile(`${outdir}.coldstart.json`, 'utf8'));

/**
 * Tells esbuild that a package's modules do nothing when imported but define exports. True of
 * @simplewebauthn/server's ES modules (their top level declares functions and constant tables), and it
 * is what lets esbuild leave its registration and attestation modules out of what authentication
 * imports: without it, its index's re-exports keep every module on the start path.
 */
function sideEffectFree(pkg: string): Plugin {
  const inside = (file: string) => file.includes(`/node_modules/${pkg}/`);
  return {
    name: 'side-effect-free',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'side-effect-free' || !(args.path.startsWith(pkg) || inside(args.importer))) return undefined;
        const resolved = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'side-effect-free' });
        if (resolved.errors.length || !inside(resolved.path)) return resolved.errors.length ? { errors: resolved.errors } : undefined;
        return { path: resolved.path, sideEffects: false };
      });
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await buildLambda());
