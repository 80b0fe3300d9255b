/**
 * The app's own session (partition): every permission request is denied, downloads are cancelled, and
 * every request that is not for the app origin is cancelled before it leaves. The renderer has no
 * network (its CSP says `connect-src 'none'`); this is the same rule, enforced where the page cannot
 * reach. WebAuthn needs none of these: Chromium's FIDO stack talks to the key directly.
 */
export interface LockableSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
  on(event: 'will-download', listener: (event: { preventDefault(): void }) => void): unknown;
  webRequest: {
    onBeforeRequest(listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void;
  };
}

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
  ses.on('will-download', (event) => event.preventDefault());
  ses.webRequest.onBeforeRequest((details, callback) => {
    const cancel = !isAppRequest(details.url, o.appOrigin);
    if (cancel) o.log?.(`cancelled request to ${details.url}`);
    callback({ cancel });
  });
}
