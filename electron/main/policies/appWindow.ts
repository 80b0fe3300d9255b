import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The one window: isolated, sandboxed, no Node, web security on, no <webview>, no middle-click windows,
 * DevTools only in development builds. The constructor comes in as a parameter so a test can pin every
 * option, while the literal below stays where Electronegativity reads it.
 */
export function createAppWindow<W>(
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => W,
  o: { partition: string; preload: string; isPackaged: boolean },
): W {
  return new BrowserWindow({
    width: 1100,
    height: 760,
    show: false,
    title: 'keylaunch',
    webPreferences: {
      partition: o.partition,
      preload: o.preload,
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
      disableBlinkFeatures: 'Auxclick', // a middle click cannot even ask for a new window
      devTools: !o.isPackaged,
    },
  });
}
