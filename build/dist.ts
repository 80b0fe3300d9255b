import { existsSync, statSync } from 'node:fs';
import { Platform, build } from 'electron-builder';
import { CliError, describeFailure, parseCommandLine, runCli, usageError, type Cli } from '../backend/cli/runCli';
import { buildDesktop } from './buildDesktop';
import { packagingConfig } from './distConfig';

const cli: Cli = {
  command: 'npm run dist --',
  usage: `Usage: npm run dist -- [--linux | --mac | --win] [--dir] [--electron-dist <folder>]

  Builds the app and its installers into dist/ (AppImage and deb, dmg, NSIS). The platform defaults to
  this one; --dir makes an unpacked app only. electron-builder downloads Electron from GitHub; where that
  is not possible, --electron-dist <folder> packages from an unpacked Electron of the same version.

Exit codes: 0 done, 2 bad command line, 3 setup to fix (Electron could not be downloaded, a missing
folder), 70 a bug (rerun with KEYLAUNCH_DEBUG=1 and report it).`,
};

const ELECTRON_DIST_HINT = 'Pass an unpacked Electron of the same version: npm run dist -- --electron-dist <folder>.';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    cli,
    argv,
    { 'electron-dist': { type: 'string' }, linux: { type: 'boolean' }, mac: { type: 'boolean' }, win: { type: 'boolean' }, dir: { type: 'boolean' } },
    true,
  );
  if (positionals.length) throw usageError(cli, `Unexpected argument "${positionals[0]}"`);
  if ([values.linux, values.mac, values.win].filter(Boolean).length > 1) throw usageError(cli, 'Choose one of --linux, --mac, --win');
  const electronDist = values['electron-dist'];
  if (electronDist !== undefined && !(existsSync(electronDist) && statSync(electronDist).isDirectory()))
    throw new CliError('setup', `--electron-dist ${electronDist} is not a folder`, 'Give the folder of an unpacked Electron (the one holding the electron executable).');

  await buildDesktop({ quiet: true });
  const platform = values.mac ? Platform.MAC : values.win ? Platform.WINDOWS : values.linux ? Platform.LINUX : Platform.current();
  const out = await build({
    targets: platform.createTarget(values.dir ? 'dir' : undefined),
    config: packagingConfig({ ...(electronDist ? { electronDist } : {}) }),
    publish: 'never',
  }).catch((e: unknown) => {
    // electron-builder fetches Electron (and some tools) from GitHub: say how to package without it.
    if (describeFailure(e).kind === 'setup' || /EAI_AGAIN|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|fetch failed|getaddrinfo/.test(String((e as Error)?.message)))
      throw new CliError('setup', `Could not download what packaging needs (${String((e as Error)?.message).split('\n')[0]})`, electronDist ? 'Check your network or proxy.' : ELECTRON_DIST_HINT, { cause: e });
    throw e;
  });
  for (const file of out) console.log(file);
  return 0;
}

await runCli(cli, main);
