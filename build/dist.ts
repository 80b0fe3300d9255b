import { existsSync, statSync } from 'node:fs';
import { Platform, build } from 'electron-builder';
import { bakeProfile } from './bakeProfile';
import { CliError, describeFailure, parseCommandLine, runCli, usageError, type Cli } from '../backend/cli/runCli';
import { buildDesktop } from './buildDesktop';
import { packagingConfig, releaseProblems, type TargetPlatform } from './distConfig';

const cli: Cli = {
  command: 'npm run dist --',
  usage: `Usage: npm run dist -- [--linux | --mac | --win] [--dir] [--electron-dist <folder>] [--config <file>] [--release]

  Builds the app and its installers into dist/ (AppImage and deb, dmg, NSIS). The platform defaults to
  this one; --dir makes an unpacked app only. electron-builder downloads Electron from GitHub; where that
  is not possible, --electron-dist <folder> packages from an unpacked Electron of the same version.
  --config <file> bakes an organization's desktop config (the one deploy wrote) into the build, which
  then takes no other. --release refuses to make an installer it cannot sign (signing settings come from
  the environment: CSC_LINK, APPLE_ID, … see the README).

Exit codes: 0 done, 2 bad command line, 3 setup to fix (Electron could not be downloaded, a missing
folder, signing settings missing for --release, a config the desktop refuses), 70 a bug (rerun with KEYLAUNCH_DEBUG=1 and report it).`,
};

const ELECTRON_DIST_HINT = 'Pass an unpacked Electron of the same version: npm run dist -- --electron-dist <folder>.';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    cli,
    argv,
    {
      'electron-dist': { type: 'string' }, linux: { type: 'boolean' }, mac: { type: 'boolean' }, win: { type: 'boolean' }, dir: { type: 'boolean' },
      config: { type: 'string' }, release: { type: 'boolean' },
    },
    true,
  );
  if (positionals.length) throw usageError(cli, `Unexpected argument "${positionals[0]}"`);
  if ([values.linux, values.mac, values.win].filter(Boolean).length > 1) throw usageError(cli, 'Choose one of --linux, --mac, --win');
  const electronDist = values['electron-dist'];
  if (electronDist !== undefined && !(existsSync(electronDist) && statSync(electronDist).isDirectory()))
    throw new CliError('setup', `--electron-dist ${electronDist} is not a folder`, 'Give the folder of an unpacked Electron (the one holding the electron executable).');

  const platform = values.mac ? Platform.MAC : values.win ? Platform.WINDOWS : values.linux ? Platform.LINUX : Platform.current();
  const target: TargetPlatform = platform === Platform.MAC ? 'mac' : platform === Platform.WINDOWS ? 'win' : 'linux';
  if (values.release) {
    const problems = releaseProblems(target, process.env);
    if (problems.length > 0) throw new CliError('setup', `A release build must be signed; missing: ${problems.join('; ')}`, 'Set the signing variables (README, "The desktop app"), or build without --release.');
  }
  await buildDesktop({ quiet: true });
  if (values.config) {
    const baked = await bakeProfile({ configFile: values.config }).catch((e: Error) => {
      throw new CliError('setup', e.message, 'Use the desktop config npm run deploy wrote (keylaunch-desktop-config.json).', { cause: e });
    });
    console.log(`Baked ${values.config} into the build: it serves itself at ${baked.appOrigin} and takes no other config.`);
  }
  const out = await build({
    targets: platform.createTarget(values.dir ? 'dir' : undefined),
    config: packagingConfig({ ...(electronDist ? { electronDist } : {}), release: values.release === true }),
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
