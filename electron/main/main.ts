import { BrowserWindow, Notification, app, dialog, ipcMain, session, shell } from 'electron';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCKED_EVENT, type ConfigState } from '../shared/desktopApi';
import { desktopInputSchemas } from '../shared/desktopSchemas';
import { configState, loadDesktopConfig, parseDesktopConfig, type DesktopConfig } from './desktopConfig';
import { createDesktopHandlers } from './desktopHandlers';
import { createSessionHolder } from './sessionHolder';
import { createVerifierClient, type VerifierClient } from './verifierClient';
import { createAppRequestHandler } from './policies/appProtocol';
import { openExternalLink } from './policies/externalLinks';
import { guardNavigation } from './policies/navigation';
import { registerDesktopIpc } from './policies/ipcGuard';
import { lockDownSession } from './policies/sessionPolicy';
import { createTouchNotifier } from './policies/touchNotifier';
import { createAppWindow } from './policies/appWindow';

/**
 * The main process's composition root (style.md §6): one window, one locked session, the app served at
 * its origin, typed IPC, and the verifier client. Every policy it applies is a unit-tested module.
 */
const PARTITION = 'keylaunch-app'; // not persisted: nothing the renderer stores survives a restart
const rendererDir = join(__dirname, '..', 'renderer');
const importedConfigFile = () => join(app.getPath('userData'), 'desktop-config.json');
const log = (m: string) => console.log(`[keylaunch] ${m}`);

app.enableSandbox();
if (!app.requestSingleInstanceLock()) app.quit();

let window: BrowserWindow | undefined;
let current: { config: DesktopConfig; client: VerifierClient } | undefined;
let state: ConfigState = { state: 'missing' };
// Before any config, the app is served at this placeholder origin; the config's origin replaces it.
let appOrigin = 'http://localhost:5317';

const sessionHolder = createSessionHolder({ onLocked: (reason) => window?.webContents.send(LOCKED_EVENT, reason) });

function useConfig(loaded: { config?: DesktopConfig; state: ConfigState }) {
  state = loaded.state;
  current = loaded.config ? { config: loaded.config, client: createVerifierClient(loaded.config) } : undefined;
}

async function importConfigWithDialog(): Promise<void> {
  if (!window) return;
  const picked = await dialog.showOpenDialog(window, { title: 'Import keylaunch config', properties: ['openFile'], filters: [{ name: 'keylaunch config', extensions: ['json'] }] });
  const file = picked.filePaths[0];
  if (picked.canceled || !file) return;
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
}

async function start(): Promise<void> {
  useConfig(await loadDesktopConfig({ argv: process.argv, importedFile: importedConfigFile() }));
  if (current) appOrigin = current.config.appOrigin;

  const ses = session.fromPartition(PARTITION);
  lockDownSession(ses, { appOrigin, log });
  const serve = createAppRequestHandler({ appOrigin, rendererDir });
  ses.protocol.handle(new URL(appOrigin).protocol.replace(':', ''), (request) => serve(request));

  registerDesktopIpc({
    ipcMain,
    appOrigin: () => appOrigin,
    webContentsId: () => window?.webContents.id,
    schemas: desktopInputSchemas,
    handlers: createDesktopHandlers({
      current: () => current,
      configState: () => state,
      importConfig: importConfigWithDialog,
      session: sessionHolder,
      touchExpected: createTouchNotifier({ window: () => window, notify: (title, body) => new Notification({ title, body }).show() }),
      openExternal: (url) => openExternalLink(url, shell),
    }),
    log,
  });

  window = createAppWindow(BrowserWindow, { partition: PARTITION, preload: join(__dirname, 'preload.cjs'), isPackaged: app.isPackaged });
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => {
    window = undefined;
  });
  await window.loadURL(`${appOrigin}/`);
}

// Every web contents, including any the app did not mean to make, gets the same guards.
app.on('web-contents-created', (_event, contents) => guardNavigation(contents, { shell, log }));
app.on('second-instance', () => {
  if (window?.isMinimized()) window.restore();
  window?.focus();
});
app.on('window-all-closed', () => app.quit());
app.on('before-quit', () => sessionHolder.lock('manual'));
app.whenReady().then(start, (e) => {
  log(`failed to start: ${(e as Error).message}`);
  app.exit(1);
});
