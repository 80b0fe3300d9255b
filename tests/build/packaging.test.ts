import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractFile, listPackage } from '@electron/asar';
import { Platform, build } from 'electron-builder';
import { buildDesktop } from '../../build/buildDesktop';
import { packagingConfig } from '../../build/distConfig';
import { ELECTRON_FUSES } from '../../electron/fuses';

/**
 * The installer's contents, packaged for real against a stub Electron folder (our machines cannot
 * download Electron): the ASAR holds the built main, preload and renderer, and nothing else.
 */
function stubElectron(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kl-stub-electron-'));
  mkdirSync(join(dir, 'resources'));
  mkdirSync(join(dir, 'locales'));
  writeFileSync(join(dir, 'electron'), '#!/bin/sh\necho "stub electron"\n');
  chmodSync(join(dir, 'electron'), 0o755);
  for (const f of ['LICENSE', 'LICENSES.chromium.html']) writeFileSync(join(dir, f), '');
  writeFileSync(join(dir, 'version'), '45.3.4');
  return dir;
}

let asar: string;
let entries: string[];
beforeAll(async () => {
  await buildDesktop({ quiet: true });
  const out = mkdtempSync(join(tmpdir(), 'kl-pack-'));
  // A stub binary has no fuse wire to flip: packaging it runs without fuses (their list is tested below).
  const config = { ...packagingConfig({ electronDist: stubElectron(), fuses: false }), directories: { output: out, buildResources: 'build' } };
  await build({ targets: Platform.LINUX.createTarget('dir'), config, publish: 'never' });
  asar = join(out, 'linux-unpacked', 'resources', 'app.asar');
  entries = listPackage(asar, { isPack: false });
}, 120_000);

describe('packaging', () => {
  it('puts only the built main, preload and renderer (and package.json) into the ASAR', () => {
    const files = entries.filter((e) => /\.[a-z]+$/.test(e));
    expect(files.filter((f) => !/^\/(package\.json|dist\/electron\/(main|preload)\.cjs|dist\/renderer\/index\.html|dist\/renderer\/assets\/index-[\w-]+\.(js|css))$/.test(f))).toEqual([]);
    expect(files).toContain('/dist/electron/main.cjs');
    expect(files).toContain('/dist/electron/preload.cjs');
    expect(files).toContain('/dist/renderer/index.html');
    for (const dir of ['/backend', '/tests', '/node_modules', '/electron', '/renderer', '/build', '/jobs', '/.keylaunch', '/docs']) {
      expect(entries.filter((e) => e === dir || e.startsWith(`${dir}/`)), dir).toEqual([]);
    }
    expect(entries.filter((e) => /\.(map|ts|tsx|env)$|deploy\.settings|node_modules/.test(e))).toEqual([]);
  });

  it('the packaged package.json points at the bundled main', () => {
    const pkg = JSON.parse(extractFile(asar, 'package.json').toString('utf8'));
    expect(pkg.main).toBe('dist/electron/main.cjs');
  });

  it('the packaging config applies the fuses from electron/fuses.ts, and takes an unpacked Electron when given', () => {
    const config = packagingConfig({ electronDist: '/opt/electron' });
    expect(config.electronFuses).toEqual(ELECTRON_FUSES);
    expect(config.electronDist).toBe('/opt/electron');
    expect(config.mac).toMatchObject({ hardenedRuntime: true, entitlements: 'build/entitlements.mac.plist' });
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toBe('nsis');
  });
});
