import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDesktop } from '../../build/buildDesktop';
import { CHANNEL_PREFIX, DESKTOP_EVENTS, DESKTOP_METHODS, LOCKED_EVENT, SHOW_REQUEST_EVENT, SHOW_RUN_EVENT, WAITING_EVENT, channelOf } from '../../electron/shared/desktopApi';
import { CONTENT_SECURITY_POLICY } from '../../electron/main/policies/appProtocol';

/**
 * Test what ships (issue 10 §4): the BUILT main.cjs and preload.cjs, each loaded in a child Node process
 * where `require('electron')` is a recording stand-in (tests/support/electronStandIn.cjs). This checks
 * the wiring that unit tests of the policies cannot: that main really registers them, at the right
 * origin, on the right sessions — and that the bundle loads at all (a broken import fails here).
 */
const STAND_IN = resolve('tests/support/electronStandIn.cjs');
let out: string;
let work: string;

beforeAll(async () => {
  out = (await buildDesktop({ quiet: true, outDir: mkdtempSync(join(tmpdir(), 'kl-desktop-build-')) })).outDir;
  work = mkdtempSync(join(tmpdir(), 'kl-main-'));
}, 120_000);

type Record = {
  missing: string[]; ipcHandle: string[]; ipcOn: string[]; protocols: { session: string; scheme: string }[]; windows: any[]; loadURL: string[];
  sessions: { [name: string]: { permissionRequest: boolean; permissionCheck: boolean; devicePermission: boolean; beforeRequest: boolean; events: string[] } };
  webContents: { id: number; events: string[]; windowOpenHandler: boolean }[]; dialogs: { kind: string; title?: string; message?: string }[];
  exits: number[]; quit: number; sandbox: boolean; appEvents: string[]; powerMonitor: string[]; exposed: { name: string; keys: string[] }[];
  invoked: { channel: string; arg: unknown }[]; rendererOn: string[]; checks: any; errors: string[];
};

let runs = 0;
function start(o: { main?: string; args?: string[]; packaged?: boolean; second?: boolean; eval?: string } = {}): { status: number | null; record: Record } {
  const file = join(work, `record-${runs++}.json`);
  const args = ['--require', STAND_IN, ...(o.eval ? ['-e', o.eval] : [o.main ?? join(out, 'electron', 'main.cjs'), ...(o.args ?? [])])];
  const r = spawnSync(process.execPath, args, {
    env: { PATH: process.env.PATH, KL_STANDIN_OUT: file, KL_STANDIN_USERDATA: join(work, 'userData'), ...(o.packaged ? { KL_STANDIN_PACKAGED: '1' } : {}), ...(o.second ? { KL_STANDIN_SECOND: '1' } : {}) },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, record: JSON.parse(readFileSync(file, 'utf8')) as Record };
}

function configFile(doc: unknown): string {
  const file = join(work, `config-${runs}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}
const REMOTE = { verifierUrl: 'https://verifier.example.com/prod', rpId: 'verifier.example.com', userName: 'ada' };
const ORIGIN = 'https://verifier.example.com';

describe('the built main process, started under a recording Electron', () => {
  let r: { status: number | null; record: Record };
  beforeAll(() => {
    r = start({ args: [`--keylaunch-config=${configFile(REMOTE)}`] });
  });

  it('starts cleanly and needs no Electron API the stand-in does not model', () => {
    expect(r.record.errors).toEqual([]);
    expect(r.record.missing).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.record.sandbox).toBe(true);
  });

  it('registers exactly one guarded IPC channel per DesktopApi method, and nothing else', () => {
    expect([...r.record.ipcHandle].sort()).toEqual(DESKTOP_METHODS.map(channelOf).sort());
    expect(r.record.ipcOn).toEqual([]);
    expect(r.record.checks.statusFromStranger).toEqual({ ok: false, error: { code: 'bad_request', message: 'Not from the app window.' } });
    expect(r.record.checks.statusFromWindow).toMatchObject({ ok: true, value: { config: { state: 'ok', appOrigin: ORIGIN, rpId: 'verifier.example.com' }, session: null } });
  });

  it('serves the app at the verifier’s origin, on the app’s partition only, with the CSP', () => {
    expect(r.record.protocols).toEqual([{ session: 'keylaunch-app', scheme: 'https' }]);
    expect(r.record.loadURL).toEqual([`${ORIGIN}/`]);
    expect(r.record.checks.page.status).toBe(200);
    expect(r.record.checks.page.csp).toBe(CONTENT_SECURITY_POLICY);
    expect(r.record.checks.page.body).toContain('<!doctype html>');
    expect(r.record.checks.foreignPage).toBe(403);
  });

  it('opens one window with the pinned options', () => {
    expect(r.record.windows).toHaveLength(1);
    expect(r.record.windows[0].webPreferences).toEqual({
      partition: 'keylaunch-app',
      preload: join(out, 'electron', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
      devTools: true, // not packaged here; the packaged start below pins false
    });
  });

  it('guards every web contents: navigation, redirects, frames, webviews, new windows, the Bluetooth chooser', () => {
    expect(r.record.appEvents).toContain('web-contents-created');
    const wc = r.record.webContents[0]!;
    expect(wc.events).toEqual(expect.arrayContaining(['will-navigate', 'will-redirect', 'will-frame-navigate', 'will-attach-webview', 'select-bluetooth-device']));
    expect(wc.windowOpenHandler).toBe(true);
    expect(r.record.checks.navigationPrevented).toBe(true);
    expect(r.record.checks.windowOpen).toEqual({ action: 'deny' });
  });

  it('locks down both the app partition and the default session: permissions, devices, choosers, requests', () => {
    expect(Object.keys(r.record.sessions).sort()).toEqual(['default', 'keylaunch-app']);
    for (const name of ['default', 'keylaunch-app']) {
      const s = r.record.sessions[name]!;
      expect(s, name).toMatchObject({ permissionRequest: true, permissionCheck: true, devicePermission: true, beforeRequest: true });
      expect(s.events, name).toEqual(expect.arrayContaining(['will-download', 'select-hid-device', 'select-usb-device', 'select-serial-port']));
      const checked = r.record.checks.sessions[name];
      expect(checked, name).toMatchObject({ granted: false, check: false, device: false, foreignRequestCancelled: true });
      expect(checked.chooser, name).toEqual([['select-hid-device', true, ''], ['select-usb-device', true, ''], ['select-serial-port', true, '']]);
    }
  });

  it('locks the session when the computer sleeps or its screen locks', () => {
    expect(r.record.powerMonitor).toEqual(expect.arrayContaining(['suspend', 'lock-screen']));
  });

  it('refuses an import while started with --keylaunch-config, instead of silently losing it', () => {
    expect(r.record.checks.importFromWindow).toMatchObject({ ok: false, error: { code: 'config_locked' } });
    expect(r.record.dialogs.filter((d) => d.kind === 'open')).toEqual([]);
  });
});

describe('starts that must not happen', () => {
  it.each([['--remote-debugging-port=9222'], ['--inspect=9229'], ['--inspect-brk'], ['--js-flags=--allow-natives-syntax'], ['-remote-debugging-pipe'], ['--renderer-cmd-prefix=/bin/sh']])(
    'a packaged app started with %s exits before registering anything',
    (flag) => {
      const r = start({ packaged: true, args: [flag] });
      expect(r.status).toBe(1);
      expect(r.record.exits).toEqual([1]);
      expect(r.record.ipcHandle).toEqual([]);
      expect(r.record.protocols).toEqual([]);
      expect(r.record.windows).toEqual([]);
      expect(r.record.dialogs[0]).toMatchObject({ kind: 'error', message: expect.stringContaining('hand control of it to another program') });
    },
  );

  it('a packaged app without such switches starts, with DevTools off', () => {
    const r = start({ packaged: true, args: [`--keylaunch-config=${configFile(REMOTE)}`] });
    expect(r.status).toBe(0);
    expect(r.record.windows[0].webPreferences.devTools).toBe(false);
  });

  it('a second instance registers nothing: no IPC, protocol, window or handlers, and quits', () => {
    const r = start({ second: true, args: [`--keylaunch-config=${configFile(REMOTE)}`] });
    expect(r.record.quit).toBe(1);
    expect(r.record.ipcHandle).toEqual([]);
    expect(r.record.protocols).toEqual([]);
    expect(r.record.windows).toEqual([]);
    expect(r.record.appEvents).not.toContain('web-contents-created');
  });

  it('a hostile config is never served: the app stays at its placeholder origin and says why', () => {
    const r = start({ args: [`--keylaunch-config=${configFile({ ...REMOTE, appOrigin: 'https://sso.victim-corp.example', rpId: 'victim-corp.example' })}`] });
    expect(r.record.loadURL).toEqual(['http://localhost:5317/']);
    expect(r.record.protocols).toEqual([{ session: 'keylaunch-app', scheme: 'http' }]);
    expect(r.record.checks.statusFromWindow).toMatchObject({ ok: true, value: { config: { state: 'invalid', reason: expect.stringContaining('appOrigin') } } });
  });
});

describe('a build with a baked profile', () => {
  let main: string;
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'kl-baked-'));
    mkdirSync(join(dir, 'electron'));
    for (const f of readdirSync(join(out, 'electron'))) copyFileSync(join(out, 'electron', f), join(dir, 'electron', f));
    cpSync(join(out, 'renderer'), join(dir, 'renderer'), { recursive: true });
    writeFileSync(join(dir, 'electron', 'profile.json'), JSON.stringify(REMOTE));
    main = join(dir, 'electron', 'main.cjs');
  });

  it('uses it with no import, and refuses an import', () => {
    const r = start({ main });
    expect(r.record.loadURL).toEqual([`${ORIGIN}/`]);
    expect(r.record.checks.importFromWindow).toMatchObject({ ok: false, error: { code: 'config_locked', message: expect.stringContaining('carries its organization’s config') } });
  });

  it('refuses --keylaunch-config, plainly', () => {
    const r = start({ main, args: [`--keylaunch-config=${configFile({ ...REMOTE, verifierUrl: 'https://attacker.example.net', rpId: 'attacker.example.net' })}`] });
    expect(r.record.loadURL).toEqual(['http://localhost:5317/']);
    expect(r.record.checks.statusFromWindow).toMatchObject({ ok: true, value: { config: { state: 'invalid', reason: expect.stringContaining('does not accept --keylaunch-config') } } });
  });
});

describe('the built preload', () => {
  it('exposes exactly DesktopApi as window.keylaunch, one fixed channel per method', () => {
    const preload = join(out, 'electron', 'preload.cjs');
    const r = start({ eval: `require(${JSON.stringify(preload)}); const api = globalThis.__klStandInRecord.exposed[0].api; api.status(); api.prepareRun({ job: 'x', params: {} }); api.onLocked(() => {}); api.onShowRun(() => {}); api.onWaiting(() => {}); api.onShowRequest(() => {});` });
    expect(r.record.errors).toEqual([]);
    expect(r.record.missing).toEqual([]);
    expect(r.record.exposed).toEqual([{ name: 'keylaunch', keys: [...DESKTOP_METHODS, ...DESKTOP_EVENTS].sort() }]);
    expect(r.record.invoked).toEqual([{ channel: `${CHANNEL_PREFIX}status` }, { channel: `${CHANNEL_PREFIX}prepareRun`, arg: { job: 'x', params: {} } }]);
    expect(r.record.rendererOn).toEqual([LOCKED_EVENT, SHOW_RUN_EVENT, WAITING_EVENT, SHOW_REQUEST_EVENT]);
  });
});

describe('the shipped renderer and main bundles', () => {
  const files = () =>
    ['renderer', 'electron'].flatMap((d) => readdirSync(join(out, d), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)));

  it('are production builds: no development JSX helpers, no absolute path of the build machine', () => {
    const js = files().filter((f) => /\.(c?js|html|css)$/.test(f));
    expect(js.length).toBeGreaterThan(2);
    for (const f of js) {
      const text = readFileSync(f, 'utf8');
      expect(/jsxDEV|jsx-dev-runtime|react\.development|react-dom\.development/.test(text), `${f} has development React`).toBe(false);
      expect(text.includes(process.cwd()), `${f} contains ${process.cwd()}`).toBe(false);
    }
  });
});
