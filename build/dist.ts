import { parseArgs } from 'node:util';
import { Platform, build } from 'electron-builder';
import { bakeProfile } from './bakeProfile';
import { buildDesktop } from './buildDesktop';
import { packagingConfig, releaseProblems, type TargetPlatform } from './distConfig';

/**
 * `npm run dist`: the installers. `--electron-dist <folder>` packages from an unpacked Electron (needed
 * where Electron cannot be downloaded); `--linux`, `--mac`, `--win` pick the platform (default: this one);
 * `--dir` makes an unpacked app only; `--config <file>` bakes an organization's desktop config into the
 * build (it then takes no other); `--release` refuses to make an unsigned installer.
 */
const { values } = parseArgs({
  options: {
    'electron-dist': { type: 'string' }, linux: { type: 'boolean' }, mac: { type: 'boolean' }, win: { type: 'boolean' }, dir: { type: 'boolean' },
    config: { type: 'string' }, release: { type: 'boolean' },
  },
});
const platform = values.mac ? Platform.MAC : values.win ? Platform.WINDOWS : values.linux ? Platform.LINUX : Platform.current();
const target: TargetPlatform = platform === Platform.MAC ? 'mac' : platform === Platform.WINDOWS ? 'win' : 'linux';
if (values.release) {
  const problems = releaseProblems(target, process.env);
  if (problems.length > 0) {
    console.error(`A release build must be signed; missing:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
}
await buildDesktop({ quiet: true });
if (values.config) {
  try {
    const baked = await bakeProfile({ configFile: values.config });
    console.log(`Baked ${values.config} into the build: it serves itself at ${baked.appOrigin} and takes no other config.`);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
const out = await build({
  targets: platform.createTarget(values.dir ? 'dir' : undefined),
  config: packagingConfig({ ...(values['electron-dist'] ? { electronDist: values['electron-dist'] } : {}), release: values.release === true }),
  publish: 'never',
});
for (const file of out) console.log(file);
