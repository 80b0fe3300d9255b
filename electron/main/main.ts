import { BrowserWindow, Notification, app, clipboard, dialog, ipcMain, powerMonitor, session, shell } from 'electron';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCKED_EVENT, SHOW_REQUEST_EVENT, SHOW_RUN_EVENT, WAITING_EVENT, type ConfigState, type DesktopError } from '../shared/desktopApi';
import { desktopInputSchemas } from '../shared/desktopSchemas';
import { configState, importRefusal, loadDesktopConfig, parseDesktopConfig, type ConfigSource, type DesktopConfig } from './desktopConfig';
import { createDesktopHandlers } from './desktopHandlers';
import { createDesktopSession } from './sessionHolder';
import { createVerifierClient, type VerifierClient } from './verifierClient';
import { createApprovalGate } from './approvalGate';
import { createRunWatcher } from './runWatcher';
import { createRequestWatcher } from './requestWatcher';
import { systemTimers } from './sessionHolder';
import { createApprovalDialog } from './policies/approvalDialog';
import { createAppRequestHandler } from './policies/appProtocol';
import { openExternalLink } from './policies/externalLinks';
import { guardNavigation } from './policies/navigation';
import { registerDesktopIpc } from './policies/ipcGuard';
import { forbiddenSwitches } from './policies/launchSwitches';
import { lockDownSession } from './policies/sessionPolicy';
import { createTouchNotifier } from './policies/touchNotifier';
import { createAppWindow } from './policies/appWindow';

/**
 * The main process's composition root : one window, one locked session, the app served at
 * the verifier's origin, typed IPC, the trusted review, and the verifier client. Every policy it applies
 * is a unit-tested module; tests/electron/mainArtifact.test.ts loads the built file to check the wiring.
 */
const PARTITION = 'keylaunch-app'; // not persisted: nothing the renderer stores survives a restart
const rendererDir = join(__dirname, '..', 'renderer');
/** An organization's build carries its profile here (`npm run dist -- --config <file>`). */
const bakedProfile = join(__dirname, 'profile.json');
const importedConfigFile = () => join(app.getPath('userData'), 'desktop-config.json');
const log = (m: string) => console.log(`[keylaunch] ${m}`);

let window: BrowserWindow | undefined;
let current: { config: DesktopConfig; client: VerifierClient } | undefined;
let state: ConfigState = { state: 'missing' };
let source: ConfigSource = 'imported';
// Before any config, the app is served at this placeholder origin; the config's origin replaces it.
let appOrigin = 'http://localhost:5317';

const sessionHolder = createDesktopSession({
  client: () => current?.client,
  onLocked: (reason) => {
    approvals.clear();
    runWatcher.clear();
    requestWatcher.stop();
    window?.webContents.send(LOCKED_EVENT, reason);
  },
});
const approvals = createApprovalGate({
  ask: createApprovalDialog({
    show: (options) => (window && !window.isDestroyed() ? dialog.showMessageBox(window, options) : Promise.resolve({ response: 1 })),
    now: Date.now,
  }),
  now: Date.now,
});

// Set once the handlers exist (start()); the watcher reads runs through them, passively.
let readRun: ((runId: string) => ReturnType<ReturnType<typeof createDesktopHandlers>['getRun']>) | undefined;
const runWatcher = createRunWatcher({
  getRun: (runId) => readRun?.(runId) ?? Promise.resolve({ ok: false, error: { code: 'locked', message: 'not started' } }),
  window: () => window,
  notify: ({ title, body, onClick }) => {
    const n = new Notification({ title, body });
    n.on('click', onClick);
    n.show();
  },
  // Only a click on the notification gets here: a run that ends in the background never moves the person.
  showRun: (runId) => {
    if (showWindow()) window!.webContents.send(SHOW_RUN_EVENT, runId);
  },
  timers: systemTimers,
});

/** Brings the window to the front (only ever after the person clicked one of our notifications). */
function showWindow(): boolean {
  if (!window || window.isDestroyed()) return false;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
  return true;
}

// Issue 16 §3: requests waiting for this person, counted in the nav and on the OS badge, announced when new.
let readRequests: ReturnType<typeof createDesktopHandlers>['listRequests'] | undefined;
const requestWatcher = createRequestWatcher({
  listRequests: () => readRequests?.() ?? Promise.resolve({ ok: false, error: { code: 'locked', message: 'not started' } }),
  me: () => sessionHolder.state()?.user.id,
  window: () => window,
  notify: ({ title, body, onClick }) => {
    const n = new Notification({ title, body });
    n.on('click', onClick);
    n.show();
  },
  showRequest: (requestId) => {
    if (showWindow()) window!.webContents.send(SHOW_REQUEST_EVENT, requestId);
  },
  waiting: (count) => {
    // The dock / Unity launcher badge; Windows has none (its overlay icon would need an image per count).
    if (process.platform !== 'win32') app.setBadgeCount(count);
    if (window && !window.isDestroyed()) window.webContents.send(WAITING_EVENT, count);
  },
  timers: systemTimers,
});

/** Output saved where the person picks in the system's own save dialog. */
async function saveTextWithDialog(defaultName: string, text: string): Promise<boolean> {
  if (!window) return false;
  const picked = await dialog.showSaveDialog(window, { title: 'Save the run’s output', defaultPath: join(app.getPath('downloads'), defaultName), filters: [{ name: 'Log', extensions: ['log', 'txt'] }] });
  if (picked.canceled || !picked.filePath) return false;
  await writeFile(picked.filePath, text, 'utf8');
  return true;
}

function useConfig(loaded: { config?: DesktopConfig; state: ConfigState }) {
  state = loaded.state;
  current = loaded.config ? { config: loaded.config, client: createVerifierClient({ ...loaded.config, desktopVersion: app.getVersion() }) } : undefined;
}

async function importConfigWithDialog(): Promise<DesktopError | undefined> {
  const refused = importRefusal(source);
  if (refused) return refused;
  if (!window) return undefined;
  const picked = await dialog.showOpenDialog(window, { title: 'Import keylaunch config', properties: ['openFile'], filters: [{ name: 'keylaunch config', extensions: ['json'] }] });
  const file = picked.filePaths[0];
  if (picked.canceled || !file) return undefined;
  const result = parseDesktopConfig(await readFile(file, 'utf8'));
  if ('config' in result) {
    await mkdir(app.getPath('userData'), { recursive: true });
    await copyFile(file, importedConfigFile());
    sessionHolder.lock('ended');
    if (result.config.appOrigin !== appOrigin) {
      app.relaunch(); // the app origin is fixed for a session's lifetime: start again at the new one
      app.exit(0);
    }
  }
  useConfig(configState(result));
  return undefined;
}

async function start(): Promise<void> {
  const loaded = await loadDesktopConfig({ argv: process.argv, importedFile: importedConfigFile(), bakedFile: bakedProfile });
  source = loaded.source;
  useConfig(loaded);
  if (current) appOrigin = current.config.appOrigin;

  const ses = session.fromPartition(PARTITION);
  lockDownSession(ses, { appOrigin, log });
  lockDownSession(session.defaultSession, { appOrigin, log }); // unused by the app, so it may do nothing either
  const serve = createAppRequestHandler({ appOrigin, rendererDir });
  ses.protocol.handle(new URL(appOrigin).protocol.replace(':', ''), (request) => serve(request));

  const handlers = createDesktopHandlers({
    current: () => current,
    configState: () => state,
    importConfig: importConfigWithDialog,
    session: sessionHolder,
    approvals,
    touchExpected: createTouchNotifier({ window: () => window, notify: (title, body) => new Notification({ title, body }).show() }),
    openExternal: (url) => openExternalLink(url, shell),
    runStarted: (run) => runWatcher.watch(run),
    requestsChanged: () => requestWatcher.poke(),
    copyText: async (text) => (clipboard.writeText(text), true),
    saveText: saveTextWithDialog,
  });
  readRun = (runId) => handlers.getRun({ runId });
  readRequests = () => handlers.listRequests();
  registerDesktopIpc({ ipcMain, appOrigin: () => appOrigin, webContentsId: () => window?.webContents.id, schemas: desktopInputSchemas, handlers, log });

  // A sleeping or screen-locked computer is an unattended one.
  powerMonitor.on('suspend', () => sessionHolder.lock('system'));
  powerMonitor.on('lock-screen', () => sessionHolder.lock('system'));

  window = createAppWindow(BrowserWindow, { partition: PARTITION, preload: join(__dirname, 'preload.cjs'), isPackaged: app.isPackaged });
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => {
    window = undefined;
  });
  await window.loadURL(`${appOrigin}/`);
}

function main(): void {
  // A packaged app never runs under a debugger, a DevTools client or injected V8 flags.
  const forbidden = app.isPackaged ? forbiddenSwitches(process.argv) : [];
  if (forbidden.length > 0) {
    const message = `keylaunch does not start with ${forbidden.map((s) => `--${s}`).join(', ')}: these hand control of it to another program.`;
    log(message);
    dialog.showErrorBox('keylaunch will not start', message);
    app.exit(1);
    return;
  }
  // A second instance hands over to the first and does nothing else: no IPC, protocol or window.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  // Every web contents, including any the app did not mean to make, gets the same guards.
  app.on('web-contents-created', (_event, contents) => guardNavigation(contents, { shell, log }));
  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => sessionHolder.lock('manual'));
  app.whenReady().then(start).catch((e: unknown) => {
    log(`failed to start: ${(e as Error).message}`);
    app.exit(1);
  });
}

main();
