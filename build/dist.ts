import { parseArgs } from 'node:util';
import { Platform, build } from 'electron-builder';
import { buildDesktop } from './buildDesktop';
import { packagingConfig } from './distConfig';

/**
 * `npm run dist`: the installers. `--electron-dist <folder>` packages from an unpacked Electron (needed
 * where Electron cannot be downloaded); `--linux`, `--mac`, `--win` pick the platform (default: this one);
 * `--dir` makes an unpacked app only.
 */
const { values } = parseArgs({
  options: { 'electron-dist': { type: 'string' }, linux: { type: 'boolean' }, mac: { type: 'boolean' }, win: { type: 'boolean' }, dir: { type: 'boolean' } },
});
await buildDesktop({ quiet: true });
const platform = values.mac ? Platform.MAC : values.win ? Platform.WINDOWS : values.linux ? Platform.LINUX : Platform.current();
const out = await build({
  targets: platform.createTarget(values.dir ? 'dir' : undefined),
  config: packagingConfig({ ...(values['electron-dist'] ? { electronDist: values['electron-dist'] } : {}) }),
  publish: 'never',
});
for (const file of out) console.log(file);
