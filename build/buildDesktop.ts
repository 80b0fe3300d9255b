import { build as esbuild } from 'esbuild';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build as viteBuild } from 'vite';

/**
 * Builds the desktop app into dist/ (or `outDir`): the renderer with Vite (renderer/), main and the
 * preload with esbuild as single CommonJS files (electron/main.cjs, preload.cjs). The sandboxed preload
 * may require nothing but 'electron', so it is bundled whole.
 *
 * Always a production build, whatever NODE_ENV the caller has (vitest sets `test`, under which React's
 * JSX transform emits development helpers carrying the build machine's absolute source paths).
 */
export async function buildDesktop(o: { quiet?: boolean; outDir?: string } = {}): Promise<{ outDir: string }> {
  const outDir = resolve(o.outDir ?? 'dist');
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await viteBuild({
      configFile: 'renderer/vite.config.ts',
      mode: 'production',
      logLevel: o.quiet ? 'error' : 'info',
      define: { 'process.env.NODE_ENV': JSON.stringify('production') },
      build: { outDir: join(outDir, 'renderer') },
    });
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
  const common = { bundle: true, platform: 'node' as const, format: 'cjs' as const, target: 'node22', external: ['electron'], logLevel: 'error' as const, sourcemap: false };
  // A profile is baked only by `npm run dist -- --config`, after this build: never keep an older one.
  await rm(join(outDir, 'electron', 'profile.json'), { force: true });
  await Promise.all([
    esbuild({ ...common, entryPoints: ['electron/main/main.ts'], outfile: join(outDir, 'electron', 'main.cjs') }),
    esbuild({ ...common, entryPoints: ['electron/preload/preload.ts'], outfile: join(outDir, 'electron', 'preload.cjs') }),
  ]);
  return { outDir };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { runCli } = await import('../backend/cli/runCli');
  await runCli(
    {
      command: 'npm run build --',
      usage: `Usage: npm run build

  Builds the desktop app into dist/: the renderer (dist/renderer), main and preload
  (dist/electron/main.cjs, preload.cjs). \`npm start\` runs it first.

Exit codes: 0 done, 2 bad command line, 70 a bug or a build error (rerun with KEYLAUNCH_DEBUG=1).`,
    },
    async (argv) => {
      if (argv.length) {
        const { usageError } = await import('../backend/cli/runCli');
        throw usageError({ command: 'npm run build --', usage: '' }, `Unexpected argument "${argv[0]}"`);
      }
      await buildDesktop();
    },
  );
}
