'use strict';
/**
 * A recording stand-in for the `electron` module, for loading the BUILT dist/electron/main.cjs and
 * preload.cjs in a plain Node process (no Electron binary can run here). Loaded with `--require`; it
 * answers `require('electron')` and records what a real start would do: IPC channels, protocol
 * handlers per session, window options, loadURL, session and web contents handlers, dialogs, exits.
 * Every object is a Proxy that records reads of members the stand-in lacks, so a start that needs an
 * Electron API this file does not model shows up as `missing` instead of passing silently.
 *
 * Once the app has loaded its URL, the stand-in exercises what it registered, as Electron would: it
 * asks the app protocol for pages, calls an IPC channel as the window and as a stranger, and fires the
 * session's permission and device handlers. The record is written as JSON to KL_STANDIN_OUT on exit.
 *
 * Env: KL_STANDIN_OUT (file), KL_STANDIN_PACKAGED=1, KL_STANDIN_SECOND=1 (another instance holds the
 * lock), KL_STANDIN_USERDATA (folder).
 */
const Module = require('node:module');
const { writeFileSync } = require('node:fs');
const { EventEmitter } = require('node:events');

const record = {
  missing: [],
  ipcHandle: [],
  ipcOn: [],
  protocols: [],
  windows: [],
  loadURL: [],
  sessions: {},
  webContents: [],
  dialogs: [],
  exits: [],
  quit: 0,
  sandbox: false,
  appEvents: [],
  powerMonitor: [],
  exposed: [],
  invoked: [],
  rendererOn: [],
  checks: {},
  errors: [],
};

const IGNORED = new Set(['then', 'toJSON', 'constructor', 'inspect', 'asymmetricMatch', '$$typeof', 'prototype', '__esModule', 'default', 'nodeType']);
function watched(name, target) {
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (typeof prop === 'string' && !(prop in t) && !IGNORED.has(prop)) record.missing.push(`${name}.${prop}`);
      return Reflect.get(t, prop, receiver);
    },
  });
}

function emitterOf(name, extra, onEvent) {
  const e = new EventEmitter();
  const on = e.on.bind(e);
  e.on = (event, listener) => {
    onEvent?.(event);
    return on(event, listener);
  };
  e.once = e.on;
  return watched(name, Object.assign(e, extra));
}

function makeSession(name) {
  const s = (record.sessions[name] = { permissionRequest: false, permissionCheck: false, devicePermission: false, beforeRequest: false, events: [], protocols: [] });
  const live = {};
  const ses = emitterOf(`session(${name})`, {
    setPermissionRequestHandler: (h) => ((s.permissionRequest = true), (live.request = h)),
    setPermissionCheckHandler: (h) => ((s.permissionCheck = true), (live.check = h)),
    setDevicePermissionHandler: (h) => ((s.devicePermission = true), (live.device = h)),
    webRequest: watched(`session(${name}).webRequest`, { onBeforeRequest: (h) => ((s.beforeRequest = true), (live.beforeRequest = h)) }),
    protocol: watched(`session(${name}).protocol`, {
      handle: (scheme, handler) => {
        s.protocols.push(scheme);
        record.protocols.push({ session: name, scheme });
        live.protocol = handler;
      },
    }),
  }, (event) => s.events.push(event));
  ses.live = live;
  return ses;
}
const sessions = new Map();
const sessionFor = (name) => sessions.get(name) ?? (sessions.set(name, makeSession(name)), sessions.get(name));

let nextId = 1;
const app = emitterOf('app', {
  isPackaged: process.env.KL_STANDIN_PACKAGED === '1',
  enableSandbox: () => (record.sandbox = true),
  requestSingleInstanceLock: () => process.env.KL_STANDIN_SECOND !== '1',
  quit: () => {
    record.quit++;
    process.exit(0);
  },
  exit: (code = 0) => {
    record.exits.push(code);
    process.exit(code);
  },
  relaunch: () => record.appEvents.push('relaunch'),
  getPath: () => process.env.KL_STANDIN_USERDATA ?? '/nonexistent',
  getVersion: () => '0.1.0',
  setBadgeCount: (count) => (record.badge = count, true),
  whenReady: () => new Promise((resolve) => setImmediate(resolve)),
}, (event) => record.appEvents.push(event));

function makeWebContents() {
  const entry = { id: nextId++, events: [], windowOpenHandler: false };
  record.webContents.push(entry);
  const wc = emitterOf('webContents', {
    id: entry.id,
    setWindowOpenHandler: (h) => ((entry.windowOpenHandler = true), (wc.live.open = h)),
    send: () => undefined,
    isDestroyed: () => false,
  }, (event) => entry.events.push(event));
  wc.live = {};
  return wc;
}

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    record.windows.push(JSON.parse(JSON.stringify(options)));
    this.webContents = makeWebContents();
    app.emit('web-contents-created', {}, this.webContents);
    this.options = options;
    return watched('BrowserWindow', this);
  }
  show() {}
  focus() {}
  restore() {}
  isMinimized() { return false; }
  isFocused() { return true; }
  isDestroyed() { return false; }
  async loadURL(url) {
    record.loadURL.push(url);
    await exercise(this, url);
  }
}

/** What Electron would do next: ask the protocol for pages, send IPC, fire handlers. */
async function exercise(win, url) {
  const origin = new URL(url).origin;
  const partition = win.options.webPreferences.partition;
  const ses = sessionFor(partition);
  const c = record.checks;
  try {
    const page = await ses.live.protocol(new Request(`${origin}/`));
    c.page = { status: page.status, csp: page.headers.get('content-security-policy'), body: (await page.text()).slice(0, 200) };
    const foreign = await ses.live.protocol(new Request('https://evil.test/'));
    c.foreignPage = foreign.status;
    const status = ipcHandlers.get('keylaunch:status');
    c.statusFromWindow = await status({ sender: { id: win.webContents.id }, senderFrame: { url: `${origin}/`, parent: null } }, undefined);
    c.statusFromStranger = await status({ sender: { id: 999 }, senderFrame: { url: 'https://evil.test/', parent: null } }, undefined);
    const importConfig = ipcHandlers.get('keylaunch:importConfig');
    c.importFromWindow = await importConfig({ sender: { id: win.webContents.id }, senderFrame: { url: `${origin}/`, parent: null } }, undefined);
    c.sessions = {};
    for (const [name, s] of sessions) {
      let granted;
      s.live.request?.({}, 'hid', (g) => (granted = g));
      const chooser = [];
      for (const ev of ['select-hid-device', 'select-usb-device', 'select-serial-port']) {
        let prevented = false;
        s.emit(ev, { preventDefault: () => (prevented = true) }, { deviceList: [{ deviceId: 'd1' }] }, (id) => chooser.push([ev, prevented, id ?? '']));
      }
      let cancelled;
      s.live.beforeRequest?.({ url: 'https://evil.test/x.js' }, (r) => (cancelled = r.cancel));
      c.sessions[name] = { granted, check: s.live.check?.({}, 'media'), device: s.live.device?.({}), chooser, foreignRequestCancelled: cancelled };
    }
    const wc = win.webContents;
    let navPrevented = false;
    wc.emit('will-navigate', { preventDefault: () => (navPrevented = true) }, 'https://evil.test/');
    c.navigationPrevented = navPrevented;
    c.windowOpen = wc.live.open?.({ url: 'https://evil.test/' });
  } catch (e) {
    record.errors.push(String(e && e.stack ? e.stack : e));
  }
}

const ipcHandlers = new Map();
const electron = {
  app,
  BrowserWindow,
  ipcMain: watched('ipcMain', {
    handle: (channel, listener) => (record.ipcHandle.push(channel), ipcHandlers.set(channel, listener)),
    on: (channel) => record.ipcOn.push(channel),
  }),
  session: watched('session', { fromPartition: (p) => sessionFor(p), get defaultSession() { return sessionFor('default'); } }),
  dialog: watched('dialog', {
    showErrorBox: (title, message) => record.dialogs.push({ kind: 'error', title, message }),
    showMessageBox: async (_w, o) => (record.dialogs.push({ kind: 'message', message: o.message }), { response: 1 }),
    showOpenDialog: async () => (record.dialogs.push({ kind: 'open' }), { canceled: true, filePaths: [] }),
    showSaveDialog: async () => (record.dialogs.push({ kind: 'save' }), { canceled: true }),
  }),
  clipboard: watched('clipboard', { writeText: () => undefined }),
  shell: watched('shell', { openExternal: async () => undefined }),
  Notification: class { on() { return this; } show() {} },
  powerMonitor: emitterOf('powerMonitor', {}, (event) => record.powerMonitor.push(event)),
  contextBridge: watched('contextBridge', { exposeInMainWorld: (name, api) => record.exposed.push({ name, keys: Object.keys(api).sort(), api }) }),
  ipcRenderer: watched('ipcRenderer', {
    invoke: async (channel, arg) => (record.invoked.push({ channel, arg }), { ok: true, value: null }),
    on: (channel) => record.rendererOn.push(channel),
    removeListener: () => undefined,
  }),
};
const stand = watched('electron', electron);

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'electron') return stand;
  return load.call(this, request, parent, isMain);
};

/** For the preload: after it ran, call two of its methods as the renderer would. */
globalThis.__klStandInRecord = record;

process.on('exit', () => {
  for (const x of record.exposed) delete x.api;
  if (process.env.KL_STANDIN_OUT) writeFileSync(process.env.KL_STANDIN_OUT, JSON.stringify(record));
});
process.on('uncaughtException', (e) => {
  record.errors.push(String(e && e.stack ? e.stack : e));
  process.exit(70);
});
process.on('unhandledRejection', (e) => {
  record.errors.push(String(e && e.stack ? e.stack : e));
  process.exit(71);
});
