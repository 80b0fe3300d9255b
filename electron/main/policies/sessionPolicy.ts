/**
 * The app's own session (partition), and the default session too (nothing should use it, so nothing
 * may): every permission request is denied, every device chooser (HID, USB, serial) is cancelled and
 * device permissions refused, downloads are cancelled, and every request that is not for the app origin
 * is cancelled before it leaves. The renderer has no
 * network (its CSP says `connect-src 'none'`); this is the same rule, enforced where the page cannot
 * reach. WebAuthn needs none of these: Chromium's FIDO stack talks to the key directly.
 */
export interface LockableSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
  on(event: 'will-download', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'select-hid-device' | 'select-usb-device' | 'select-serial-port', listener: (event: { preventDefault(): void }, details: unknown, callback: (id?: string) => void) => void): unknown;
  webRequest: {
    onBeforeRequest(listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void;
  };
}

export const DEVICE_CHOOSERS = ['select-hid-device', 'select-usb-device', 'select-serial-port'] as const;

export function isAppRequest(url: string, appOrigin: string): boolean {
  try {
    return new URL(url).origin === appOrigin;
  } catch {
    return false;
  }
}

export function lockDownSession(ses: LockableSession, o: { appOrigin: string; log?: (m: string) => void }): void {
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    o.log?.(`denied permission ${permission}`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.on('will-download', (event) => event.preventDefault());
  for (const chooser of DEVICE_CHOOSERS) {
    ses.on(chooser, (event, _details, callback) => {
      event.preventDefault(); // without this Electron would pick the first device itself
      o.log?.(`cancelled ${chooser}`);
      callback(chooser === 'select-serial-port' ? '' : undefined);
    });
  }
  ses.webRequest.onBeforeRequest((details, callback) => {
    const cancel = !isAppRequest(details.url, o.appOrigin);
    if (cancel) o.log?.(`cancelled request to ${details.url}`);
    callback({ cancel });
  });
}
