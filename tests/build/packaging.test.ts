import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractFile, listPackage } from '@electron/asar';
import { Platform, build } from 'electron-builder';
import { buildDesktop } from '../../build/buildDesktop';
import { packagingConfig, releaseProblems } from '../../build/distConfig';
import { bakeProfile } from '../../build/bakeProfile';
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
const PROFILE = { verifierUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod', rpId: 'abc123.execute-api.eu-west-1.amazonaws.com', userName: 'admin' };
beforeAll(async () => {
  await buildDesktop({ quiet: true });
  // An organization's build: the config deploy wrote, baked in (npm run dist -- --config <file>).
  const configFile = join(mkdtempSync(join(tmpdir(), 'kl-profile-')), 'desktop.json');
  writeFileSync(configFile, JSON.stringify(PROFILE));
  await bakeProfile({ configFile });
  const out = mkdtempSync(join(tmpdir(), 'kl-pack-'));
  // A stub binary has no fuse wire to flip: packaging it runs without fuses (their list is tested below).
  const config = { ...packagingConfig({ electronDist: stubElectron(), fuses: false }), directories: { output: out, buildResources: 'build' } };
  await build({ targets: Platform.LINUX.createTarget('dir'), config, publish: 'never' });
  asar = join(out, 'linux-unpacked', 'resources', 'app.asar');
  entries = listPackage(asar, { isPack: false });
  rmSync(join('dist', 'electron', 'profile.json'), { force: true }); // a later `npm start` must not find it
}, 120_000);

describe('packaging', () => {
  it('puts only the built main, preload and renderer (and package.json) into the ASAR', () => {
    const files = entries.filter((e) => /\.[a-z]+$/.test(e));
    expect(files.filter((f) => !/^\/(package\.json|dist\/electron\/(main|preload)\.cjs|dist\/electron\/profile\.json|dist\/renderer\/index\.html|dist\/renderer\/assets\/index-[\w-]+\.(js|css))$/.test(f))).toEqual([]);
    expect(files).toContain('/dist/electron/main.cjs');
    expect(files).toContain('/dist/electron/preload.cjs');
    expect(files).toContain('/dist/renderer/index.html');
    for (const dir of ['/backend', '/tests', '/node_modules', '/electron', '/renderer', '/build', '/jobs', '/.keylaunch', '/docs']) {
      expect(entries.filter((e) => e === dir || e.startsWith(`${dir}/`)), dir).toEqual([]);
    }
    expect(entries.filter((e) => /\.(map|ts|tsx|env)$|deploy\.settings|node_modules/.test(e))).toEqual([]);
  });

  it('carries the baked profile beside main, as given', () => {
    expect(JSON.parse(extractFile(asar, 'dist/electron/profile.json').toString('utf8'))).toEqual(PROFILE);
  });

  it('bakes only a profile the desktop accepts', async () => {
    const configFile = join(mkdtempSync(join(tmpdir(), 'kl-profile-')), 'hostile.json');
    writeFileSync(configFile, JSON.stringify({ ...PROFILE, rpId: 'amazonaws.com' }));
    const out = mkdtempSync(join(tmpdir(), 'kl-bake-'));
    mkdirSync(join(out, 'electron'));
    await expect(bakeProfile({ configFile, outDir: out })).rejects.toThrow(/amazonaws\.com is a public suffix/);
    expect(existsSync(join(out, 'electron', 'profile.json'))).toBe(false);
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
    expect(config.nsis).toMatchObject({ perMachine: true, oneClick: false });
    expect(config.forceCodeSigning).toBeUndefined();
  });

  it('a release build forces signing and notarizes, and is refused when it would be unsigned', () => {
    const release = packagingConfig({ release: true });
    expect(release.forceCodeSigning).toBe(true);
    expect(release.mac).toMatchObject({ notarize: true, hardenedRuntime: true });
    expect(releaseProblems('mac', {})).toHaveLength(2);
    expect(releaseProblems('mac', { CSC_LINK: 'cert.p12', APPLE_ID: 'a', APPLE_APP_SPECIFIC_PASSWORD: 'b' })).toEqual([expect.stringContaining('notarization')]);
    expect(releaseProblems('mac', { CSC_LINK: 'cert.p12', APPLE_API_KEY: 'k', APPLE_API_KEY_ID: 'i', APPLE_API_ISSUER: 's' })).toEqual([]);
    expect(releaseProblems('win', { CSC_KEY_PASSWORD: 'x' })).toEqual([expect.stringContaining('WIN_CSC_LINK')]);
    expect(releaseProblems('win', { WIN_CSC_LINK: 'cert.pfx' })).toEqual([]);
    expect(releaseProblems('linux', {})).toHaveLength(1);
  });

  it('`npm run dist -- --release` stops before building when it would be unsigned', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CSC_|WIN_CSC_|APPLE_)/.test(k)));
    const started = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'build/dist.ts', '--release', '--win'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(3); // setup to fix (runCli's exit codes)
    expect(r.stderr).toContain('A release build must be signed');
    expect(r.stderr).toContain('WIN_CSC_LINK');
    expect(r.stderr).not.toMatch(/\n\s+at /); // one line, no stack trace
    expect(existsSync('dist/renderer/index.html') && statSync('dist/renderer/index.html').mtimeMs > started).toBe(false); // nothing was built
  });
});
