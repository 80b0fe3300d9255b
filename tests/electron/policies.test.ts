import { describe, expect, it, vi } from 'vitest';
import { guardNavigation, type GuardedContents } from '../../electron/main/policies/navigation';
import { isAllowedExternalLink, openExternalLink } from '../../electron/main/policies/externalLinks';
import { lockDownSession, type LockableSession } from '../../electron/main/policies/sessionPolicy';
import { CONTENT_SECURITY_POLICY, createAppRequestHandler } from '../../electron/main/policies/appProtocol';
import { createTouchNotifier } from '../../electron/main/policies/touchNotifier';
import { ELECTRON_FUSES } from '../../electron/fuses';
import { forbiddenSwitches } from '../../electron/main/policies/launchSwitches';

/** A fake of the few WebContents members the navigation guard touches; records what it registered. */
class FakeContents implements GuardedContents {
  listeners = new Map<string, (event: any, ...args: any[]) => void>();
  openHandler?: (details: { url: string }) => { action: 'deny' };
  on(event: string, listener: (event: any, ...args: any[]) => void) {
    this.listeners.set(event, listener);
    return this;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }) {
    this.openHandler = handler;
  }
  fire(event: string, url: string) {
    const e = { prevented: false, preventDefault() { this.prevented = true; }, url };
    this.listeners.get(event)?.(e, url);
    return e.prevented;
  }
}

describe('navigation and windows', () => {
  it('cancels the Bluetooth device chooser without picking a device', () => {
    const contents = new FakeContents();
    guardNavigation(contents, { shell: { openExternal: vi.fn() } });
    const picked: string[] = [];
    const e = { prevented: false, preventDefault() { this.prevented = true; } };
    (contents.listeners.get('select-bluetooth-device') as any)(e, [{ deviceId: 'dev-1' }], (id: string) => picked.push(id));
    expect(e.prevented).toBe(true);
    expect(picked).toEqual(['']);
  });

  it('denies navigation, redirects, frame navigation and webviews', () => {
    const contents = new FakeContents();
    guardNavigation(contents, { shell: { openExternal: vi.fn() } });
    expect(contents.fire('will-navigate', 'https://evil.test/')).toBe(true);
    expect(contents.fire('will-redirect', 'https://evil.test/')).toBe(true);
    expect(contents.fire('will-frame-navigate', 'https://evil.test/')).toBe(true);
    expect(contents.fire('will-attach-webview', 'about:blank')).toBe(true);
  });

  it('denies every new window; an allowlisted link opens in the system browser, others nowhere', async () => {
    const contents = new FakeContents();
    const openExternal = vi.fn(async () => undefined);
    guardNavigation(contents, { shell: { openExternal } });
    expect(contents.openHandler!({ url: 'https://eu-west-1.console.aws.amazon.com/ec2/home' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'https://evil.test/' })).toEqual({ action: 'deny' });
    await new Promise((r) => setTimeout(r, 0));
    expect(openExternal).toHaveBeenCalledTimes(1);
    expect(openExternal).toHaveBeenCalledWith('https://eu-west-1.console.aws.amazon.com/ec2/home');
  });
});

describe('external link allowlist', () => {
  it.each([
    ['https://console.aws.amazon.com/lambda/home', true],
    ['https://eu-west-1.console.aws.amazon.com/states/home#/executions', true],
    ['https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#InstanceDetails:instanceId=i-0abc', true],
    ['https://us-east-1.console.aws.amazon.com/systems-manager/run-command/0b1c?region=us-east-1', true],
    ['https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/c/tasks/t?region=eu-west-1', true],
    ['https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/f?tab=monitoring', true],
    ['https://docs.aws.amazon.com/lambda/', false],
    ['https://github.com/attacker/repo', false],
    ['https://console.aws.amazon.com/iam/home#/users', false],
    ['https://console.aws.amazon.com/lambda/homeevil', false],
    ['https://console.aws.amazon.com/ecs/v2/clusters/../../iam/home', false],
    ['https://console.aws.amazon.com/ec2/home/../../iam/home', false],
    ['https://evil.test.console.aws.amazon.com/ec2/home', false],
    ['https://signin.aws.amazon.com/oauth', false],
    ['http://console.aws.amazon.com/', false],
    ['https://console.aws.amazon.com.evil.test/', false],
    ['https://evilconsole.aws.amazon.com/', false],
    ['https://user:pw@console.aws.amazon.com/', false],
    ['https://console.aws.amazon.com:8443/', false],
    ['javascript:alert(1)', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('%s -> %s', (url, allowed) => expect(isAllowedExternalLink(url)).toBe(allowed));

  it('openExternalLink opens only allowed links', async () => {
    const shell = { openExternal: vi.fn(async () => undefined) };
    expect(await openExternalLink('https://evil.test/', shell)).toBe(false);
    expect(await openExternalLink('https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1', shell)).toBe(true);
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });
});

class FakeSession implements LockableSession {
  requestHandler?: (c: unknown, p: string, cb: (g: boolean) => void) => void;
  checkHandler?: (c: unknown, p: string) => boolean;
  downloadListener?: (e: { preventDefault(): void }) => void;
  beforeRequest?: (d: { url: string }, cb: (r: { cancel: boolean }) => void) => void;
  setPermissionRequestHandler(h: typeof this.requestHandler) {
    this.requestHandler = h;
  }
  setPermissionCheckHandler(h: typeof this.checkHandler) {
    this.checkHandler = h;
  }
  deviceHandler?: (d: unknown) => boolean;
  choosers = new Map<string, (e: { preventDefault(): void }, d: unknown, cb: (id?: string) => void) => void>();
  setDevicePermissionHandler(h: (d: unknown) => boolean) {
    this.deviceHandler = h;
  }
  on(event: string, l: any) {
    if (event === 'will-download') this.downloadListener = l;
    else this.choosers.set(event, l);
    return this;
  }
  webRequest = { onBeforeRequest: (l: NonNullable<FakeSession['beforeRequest']>) => void (this.beforeRequest = l) };
}

describe('the app session', () => {
  const ses = new FakeSession();
  lockDownSession(ses, { appOrigin: 'https://keylaunch.example.com' });

  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'openExternal', 'fullscreen'])('denies the %s permission', (permission) => {
    let granted: boolean | undefined;
    ses.requestHandler!({}, permission, (g) => (granted = g));
    expect(granted).toBe(false);
    expect(ses.checkHandler!({}, permission)).toBe(false);
  });

  it.each(['select-hid-device', 'select-usb-device', 'select-serial-port'])('cancels the %s chooser without picking a device', (chooser) => {
    const answers: (string | undefined)[] = [];
    let prevented = false;
    ses.choosers.get(chooser)!({ preventDefault: () => (prevented = true) }, { deviceList: [{ deviceId: 'd1' }] }, (id) => answers.push(id));
    expect(prevented).toBe(true);
    expect(answers).toHaveLength(1);
    expect(answers[0] ?? '').toBe('');
    expect(ses.deviceHandler!({ deviceType: 'hid' })).toBe(false);
  });

  it('cancels downloads', () => {
    let prevented = false;
    ses.downloadListener!({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });

  it.each([
    ['https://keylaunch.example.com/assets/app.js', false],
    ['https://keylaunch.example.com/', false],
    ['https://evil.test/x.js', true],
    ['https://keylaunch.example.com.evil.test/', true],
    ['http://keylaunch.example.com/', true],
    ['wss://keylaunch.example.com/', true],
    ['file:///etc/passwd', true],
    ['data:text/html,hi', true],
    ['http://127.0.0.1:8787/v1/jobs', true],
  ])('request to %s cancelled: %s', (url, cancelled) => {
    let result: boolean | undefined;
    ses.beforeRequest!({ url }, (r) => (result = r.cancel));
    expect(result).toBe(cancelled);
  });
});

describe('serving the renderer at the app origin', () => {
  const files: Record<string, string> = { '/app/index.html': '<!doctype html>', '/app/assets/app.js': 'console.log(1)' };
  const serve = createAppRequestHandler({
    appOrigin: 'https://keylaunch.example.com',
    rendererDir: '/app',
    read: async (f) => (f in files ? Buffer.from(files[f]!) : Promise.reject(new Error('ENOENT'))),
  });

  it('serves the bundle with a strict CSP: no network, no inline or eval script', async () => {
    const res = await serve({ url: 'https://keylaunch.example.com/', method: 'GET' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<!doctype html>');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('unsafe-inline');
    const js = await serve({ url: 'https://keylaunch.example.com/assets/app.js', method: 'GET' });
    expect(js.headers.get('content-type')).toContain('text/javascript');
  });

  it.each([
    ['another origin', 'https://evil.test/', 'GET', 403],
    ['path traversal', 'https://keylaunch.example.com/..%2F..%2Fetc%2Fpasswd.html', 'GET', 403],
    ['a missing file', 'https://keylaunch.example.com/assets/nope.js', 'GET', 404],
    ['an unknown file type', 'https://keylaunch.example.com/secrets.env', 'GET', 404],
    ['a POST', 'https://keylaunch.example.com/', 'POST', 405],
    ['bad escapes', 'https://keylaunch.example.com/%E0%A4%A.js', 'GET', 400],
  ])('refuses %s', async (_, url, method, status) => {
    const res = await serve({ url, method });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe('touch notification', () => {
  it('notifies only when the window is not focused', () => {
    const notify = vi.fn();
    let focused = true;
    const notifier = createTouchNotifier({ window: () => ({ isFocused: () => focused, isDestroyed: () => false }), notify });
    notifier('unlock');
    expect(notify).not.toHaveBeenCalled();
    focused = false;
    notifier('run deploy');
    expect(notify).toHaveBeenCalledWith('Touch your security key', 'keylaunch is waiting for a touch to run deploy.');
  });
});

describe('fuses', () => {
  it('turns off RunAsNode, NODE_OPTIONS, inspect and file:// privileges; turns on cookie encryption and ASAR integrity', () => {
    expect(ELECTRON_FUSES).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});

describe('the window', () => {
  it('is isolated, sandboxed, without Node, with web security, no webview, no DevTools when packaged', async () => {
    const { createAppWindow } = await import('../../electron/main/policies/appWindow');
    class FakeWindow {
      constructor(readonly options: any) {}
    }
    const packaged = createAppWindow(FakeWindow, { partition: 'p', preload: '/app/preload.cjs', isPackaged: true });
    expect(packaged.options.webPreferences).toEqual({
      partition: 'p',
      preload: '/app/preload.cjs',
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
      devTools: false,
    });
    expect(createAppWindow(FakeWindow, { partition: 'p', preload: 'x', isPackaged: false }).options.webPreferences.devTools).toBe(true);
  });
});

describe('switches a packaged app refuses', () => {
  it.each([
    [['--remote-debugging-port=9222'], ['remote-debugging-port']],
    [['--REMOTE-DEBUGGING-PORT=9222'], ['remote-debugging-port']],
    [['-remote-debugging-pipe'], ['remote-debugging-pipe']],
    [['--inspect-brk=0'], ['inspect-brk']],
    [['--inspect-anything'], ['inspect-anything']],
    [['--js-flags', '--expose-gc'], ['js-flags']],
    [['--gpu-launcher=/bin/sh -c x'], ['gpu-launcher']],
    [['--keylaunch-config=/tmp/x.json', 'C:\\Users\\a\\file.json', '--lang=en'], []],
  ])('%j -> %j', (argv, found) => expect(forbiddenSwitches(argv, 'linux')).toEqual(found));

  it('reads /switch as a switch on Windows only (elsewhere it is a path)', () => {
    expect(forbiddenSwitches(['/remote-debugging-port=9222'], 'win32')).toEqual(['remote-debugging-port']);
    expect(forbiddenSwitches(['/inspect/notes.json'], 'linux')).toEqual([]);
  });
});
