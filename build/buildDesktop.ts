import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';

/**
 * Builds the desktop app into dist/: the renderer with Vite (dist/renderer), main and the preload with
 * esbuild as single CommonJS files (dist/electron/main.cjs, preload.cjs). The sandboxed preload may
 * require nothing but 'electron', so it is bundled whole.
 */
export async function buildDesktop(o: { quiet?: boolean } = {}): Promise<void> {
  await viteBuild({ configFile: 'renderer/vite.config.ts', logLevel: o.quiet ? 'error' : 'info' });
  const common = { bundle: true, platform: 'node' as const, format: 'cjs' as const, target: 'node22', external: ['electron'], logLevel: 'error' as const, sourcemap: false };
  await Promise.all([
    esbuild({ ...common, entryPoints: ['electron/main/main.ts'], outfile: 'dist/electron/main.cjs' }),
    esbuild({ ...common, entryPoints: ['electron/preload/preload.ts'], outfile: 'dist/electron/preload.cjs' }),
  ]);
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
