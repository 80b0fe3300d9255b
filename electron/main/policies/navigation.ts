import { openExternalLink } from './externalLinks';

/**
 * No general browsing (docs/architecture.md): the window shows our renderer and nothing else. Navigations,
 * redirects and new windows are denied; an allowlisted link asked for as a new window goes to the
 * system browser instead. `<webview>` is refused outright, and so is the Bluetooth device chooser.
 */
export interface GuardedContents {
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (event: { preventDefault(): void; url?: string }, url?: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'select-bluetooth-device', listener: (event: { preventDefault(): void }, devices: unknown, callback: (deviceId: string) => void) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export function guardNavigation(contents: GuardedContents, o: { shell: { openExternal(url: string): Promise<void> }; log?: (m: string) => void }): void {
  const deny = (kind: string) => (event: { preventDefault(): void; url?: string }, url?: string) => {
    event.preventDefault();
    o.log?.(`refused ${kind} to ${url ?? event.url ?? '(unknown)'}`);
  };
  contents.on('will-navigate', deny('navigation'));
  contents.on('will-redirect', deny('redirect'));
  contents.on('will-frame-navigate', deny('frame navigation'));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // Web Bluetooth's chooser is a web contents event: cancel it (an empty id), never pick a device.
  contents.on('select-bluetooth-device', (event, _devices, callback) => {
    event.preventDefault();
    callback('');
  });
  contents.setWindowOpenHandler(({ url }) => {
    void openExternalLink(url, o.shell);
    return { action: 'deny' };
  });
}
