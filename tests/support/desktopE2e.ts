import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { createDesktopHandlers } from '../../electron/main/desktopHandlers';
import { createDesktopSession } from '../../electron/main/sessionHolder';
import { createVerifierClient } from '../../electron/main/verifierClient';
import { parseDesktopConfig, configState } from '../../electron/main/desktopConfig';
import { registerDesktopIpc, type IpcEventLike, type IpcMainLike } from '../../electron/main/policies/ipcGuard';
import { createAppRequestHandler } from '../../electron/main/policies/appProtocol';
import { createApprovalGate } from '../../electron/main/approvalGate';
import { reviewText, type ApprovalReview } from '../../electron/main/approvalReview';
import { desktopInputSchemas } from '../../electron/shared/desktopSchemas';
import { createRunWatcher } from '../../electron/main/runWatcher';
import { createRequestWatcher } from '../../electron/main/requestWatcher';
import { systemTimers } from '../../electron/main/sessionHolder';
import { CHANNEL_PREFIX, DESKTOP_METHODS } from '../../electron/shared/desktopApi';
import { ORIGIN, RP_ID, startHarness, type Harness } from './harness';

export const CHROMIUM = process.env.KEYLAUNCH_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join('test-output', 'screenshots');

/** The renderer under test is always the current source: built once per test process, never a stale dist/. */
let built: Promise<unknown> | undefined;
const buildOnce = () => (built ??= import('../../build/buildDesktop').then((m) => m.buildDesktop({ quiet: true })));

/**
 * The desktop app in real Chromium, with only Electron's IPC transport replaced: the built renderer is
 * served at https://keylaunch.test by the app's own protocol handler (with its CSP), window.keylaunch
 * calls main's real IPC guard and DesktopApi handlers through exposeBinding, and those talk to a real
 * local verifier over HTTP. WebAuthn is Chromium's own, with a CDP virtual authenticator.
 */
export async function startDesktopE2e(o: {
  userName: string;
  harness?: Parameters<typeof startHarness>[0];
  via?: (verifierUrl: string) => Promise<string>;
  /** A second person's desktop on the same verifier (closed by its owner, not by this desktop). */
  shared?: Harness;
  viewport?: { width: number; height: number };
}) {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium).`);
  await buildOnce();
  const harness: Harness = o.shared ?? (await startHarness(o.harness));
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const context = await browser.newContext({ viewport: o.viewport ?? { width: 1000, height: 700 } });
  const page: Page = await context.newPage();

  // The app protocol handler, as main registers it, serves every request at the app origin; nothing else loads.
  const serve = createAppRequestHandler({ appOrigin: ORIGIN, rendererDir: join(process.cwd(), 'dist', 'renderer') });
  const refused: string[] = [];
  await context.route('**/*', async (route) => {
    const request = route.request();
    if (new URL(request.url()).origin !== ORIGIN) {
      refused.push(request.url());
      return route.abort('blockedbyclient');
    }
    const res = await serve({ url: request.url(), method: request.method() });
    await route.fulfill({ status: res.status, headers: Object.fromEntries(res.headers), body: Buffer.from(await res.arrayBuffer()) });
  });

  // Main's side: the config, the in-memory session, the handlers, the IPC guard. The config is a remote
  // one whose verifier is https://keylaunch.test (so the app origin is that, by the desktop's own rule);
  // the client reaches that name at the local harness, as DNS would (`via`: through a network of the test's).
  const parsed = parseDesktopConfig(JSON.stringify({ verifierUrl: ORIGIN, rpId: RP_ID, userName: o.userName }));
  const loaded = configState(parsed);
  if (!loaded.config || loaded.config.appOrigin !== ORIGIN) throw new Error(`the e2e config was refused: ${JSON.stringify(loaded.state)}`);
  const current = { config: loaded.config, client: createVerifierClient({ ...loaded.config, verifierUrl: o.via ? await o.via(harness.url) : harness.url, desktopVersion: '0.1.0' }) };
  /** Main's native review dialog, answered as the person would: they read it (recorded) and answer. */
  const reviews: { review: ApprovalReview; text: { message: string; detail: string } }[] = [];
  const person = { answer: (_review: ApprovalReview): boolean => true };
  const approvals = createApprovalGate({
    ask: async (review) => {
      reviews.push({ review, text: reviewText(review, Date.now()) });
      return person.answer(review);
    },
    now: Date.now,
  });
  const session = createDesktopSession({
    client: () => current.client,
    onLocked: (reason) => {
      requests.stop();
      void page.evaluate((r) => (window as any).__keylaunchLocked?.(r), reason).catch(() => undefined);
    },
  });
  const touches: string[] = [];
  const opened: string[] = [];
  /** Main's run watcher, as main.ts wires it: OS notifications recorded; the window is focused unless a test says not. */
  const windowState = { focused: true };
  const notifications: { title: string; body: string; click: () => void }[] = [];
  const watcher = createRunWatcher({
    getRun: (runId) => handlers.getRun({ runId }),
    window: () => ({ isFocused: () => windowState.focused, isDestroyed: () => false }),
    notify: ({ title, body, onClick }) => notifications.push({ title, body, click: onClick }),
    showRun: (runId) => void page.evaluate((id) => (window as any).__keylaunchShowRun?.(id), runId).catch(() => undefined),
    timers: systemTimers,
  });
  /** Main's request watcher (issue 16 §3), as main.ts wires it but reading every second: the count pushed to the page is recorded too. */
  const waitingCounts: number[] = [];
  const requests = createRequestWatcher({
    listRequests: () => handlers.listRequests(),
    me: () => session.state()?.user.id,
    window: () => ({ isFocused: () => windowState.focused, isDestroyed: () => false }),
    notify: ({ title, body, onClick }) => notifications.push({ title, body, click: onClick }),
    showRequest: (id) => void page.evaluate((r) => (window as any).__keylaunchShowRequest?.(r), id).catch(() => undefined),
    waiting: (count) => {
      waitingCounts.push(count);
      void page.evaluate((n) => (window as any).__keylaunchWaiting?.(n), count).catch(() => undefined);
    },
    timers: systemTimers,
    everyMs: 1000,
  });
  const handlers = createDesktopHandlers({
    current: () => current,
    configState: () => loaded.state,
    importConfig: async () => undefined,
    session,
    approvals,
    touchExpected: (what) => touches.push(what),
    openExternal: async (url) => (opened.push(url), true),
    runStarted: (run) => watcher.watch(run),
    requestsChanged: () => requests.poke(),
  });
  /** Tests may wrap a handler (e.g. to move the verifier's clock between touch and confirm). */
  const overrides: Partial<Record<string, (arg: unknown) => Promise<unknown>>> = {};
  const channels = new Map<string, (event: IpcEventLike, arg: unknown) => Promise<unknown>>();
  const ipcMain: IpcMainLike = { handle: (channel, listener) => void channels.set(channel, listener) };
  registerDesktopIpc({
    ipcMain,
    appOrigin: () => ORIGIN,
    webContentsId: () => 1,
    schemas: desktopInputSchemas,
    handlers: Object.fromEntries(
      DESKTOP_METHODS.map((m) => [m, (arg: never) => (overrides[m] ? overrides[m]!(arg) : (handlers[m] as (a: never) => Promise<unknown>)(arg))]),
    ) as never,
  });
  await page.exposeBinding('__keylaunchIpc', async (source, channel: string, arg: unknown) => {
    const listener = channels.get(channel);
    if (!listener) return { ok: false, error: { code: 'bad_request', message: 'no such channel' } };
    return listener({ sender: { id: 1 }, senderFrame: { url: source.frame.url(), parent: source.frame.parentFrame() ? {} : null } }, arg);
  });
  // What the preload does in Electron: window.keylaunch with one fixed channel per method.
  await page.addInitScript(
    ({ methods, prefix }) => {
      const listeners = new Set<(reason: string) => void>();
      const api: Record<string, unknown> = {};
      for (const m of methods) api[m] = (arg?: unknown) => (window as any).__keylaunchIpc(prefix + m, arg);
      api.onLocked = (l: (reason: string) => void) => (listeners.add(l), () => listeners.delete(l));
      const showRun = new Set<(runId: string) => void>();
      api.onShowRun = (l: (runId: string) => void) => (showRun.add(l), () => showRun.delete(l));
      (window as any).__keylaunchShowRun = (runId: string) => showRun.forEach((l) => l(runId));
      (window as any).__keylaunchLocked = (reason: string) => listeners.forEach((l) => l(reason));
      const waiting = new Set<(count: number) => void>();
      api.onWaiting = (l: (count: number) => void) => (waiting.add(l), () => waiting.delete(l));
      (window as any).__keylaunchWaiting = (count: number) => waiting.forEach((l) => l(count));
      const showRequest = new Set<(requestId: string) => void>();
      api.onShowRequest = (l: (requestId: string) => void) => (showRequest.add(l), () => showRequest.delete(l));
      (window as any).__keylaunchShowRequest = (requestId: string) => showRequest.forEach((l) => l(requestId));
      Object.defineProperty(window, 'keylaunch', { value: Object.freeze(api), writable: false });
    },
    { methods: [...DESKTOP_METHODS], prefix: CHANNEL_PREFIX },
  );

  const cdp: CDPSession = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const addKey = async () =>
    (
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
      })
    ).authenticatorId;
  const removeKey = (authenticatorId: string) => cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });

  mkdirSync(SCREENSHOTS, { recursive: true });
  const size = o.viewport ? `-${o.viewport.width}x${o.viewport.height}` : '';
  /** Light and dark; `fullPage: false` keeps what the window shows (e.g. to see a sheet where the person sees it). */
  const screenshot = async (name: string, opts: { fullPage?: boolean } = {}) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}${size}-${scheme}.png`), fullPage: opts.fullPage ?? true });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };

  /** Calls main's real handler for a method (for overrides that do something, then pass the call on). */
  const forward = (method: string, arg: unknown) => (handlers[method as keyof typeof handlers] as (a: unknown) => Promise<unknown>)(arg);

  return {
    harness, browser, page, cdp, addKey, removeKey, screenshot, overrides, forward, session, touches, opened, refused, reviews, person, windowState, notifications, watching: () => watcher.watching(), waitingCounts,
    close: async () => {
      watcher.clear();
      requests.stop();
      await browser.close();
      if (!o.shared) await harness.close();
    },
  };
}
export type DesktopE2e = Awaited<ReturnType<typeof startDesktopE2e>>;

const TIMEOUT = 15_000;

/**
 * Enrollment with an invite, then unlock, through the UI as a person does it: a desktop that never saw a
 * key of this person opens on enrollment, and "Unlock now" unlocks with one touch, straight away.
 */
export async function enrollAndUnlock(e: DesktopE2e, name: string, role: 'admin' | 'operator' = 'operator', shots = false, invited?: string) {
  const code = invited ?? (await e.harness.invite(name, role)).code;
  const { page } = e;
  await page.goto('https://keylaunch.test/');
  await page.getByRole('heading', { name: 'Enroll your security key' }).waitFor({ timeout: TIMEOUT });
  await page.getByLabel('Invite code').fill(code);
  await page.getByLabel('Name this key').fill('Primary YubiKey');
  if (shots) await e.screenshot('enroll');
  await page.getByRole('button', { name: 'Enroll', exact: true }).click();
  await page.getByRole('heading', { name: 'Your key is enrolled' }).waitFor({ timeout: TIMEOUT });
  if (shots) await e.screenshot('enrolled');
  await page.getByRole('button', { name: 'Unlock now' }).click();
  await page.getByRole('heading', { name: 'Jobs' }).waitFor({ timeout: TIMEOUT });
}

/** Opens a job from the list and fills its form. */
export async function openJob(e: DesktopE2e, title: RegExp, fill: Record<string, string> = {}) {
  const { page } = e;
  await page.getByRole('button', { name: 'Jobs', exact: true }).click();
  await page.getByRole('button', { name: title }).click();
  for (const [label, value] of Object.entries(fill)) await page.getByLabel(label).fill(value);
}

/** Opens a job, fills its form, and asks to review and run it. */
export async function startRun(e: DesktopE2e, title: RegExp, fill: Record<string, string> = {}) {
  await openJob(e, title, fill);
  await e.page.getByRole('button', { name: 'Review and run' }).click();
}

/**
 * On the run page: a local run shows `running` when confirm answers (the job outlives the request), and
 * the page follows it by itself; wait, without touching anything, until it shows the run's end.
 */
export async function waitUntilEnded(e: DesktopE2e, timeout = 20_000) {
  const badge = e.page.locator('section.run .badge').first();
  await expect.poll(async () => (await badge.textContent())?.trim(), { timeout, interval: 100 }).not.toMatch(/^(running|launching)$/);
}
/** The old name, from when the person had to press "Refresh status": the page follows the run now. */
export const refreshUntilEnded = waitUntilEnded;

/** The run page of the run just launched (or found), whatever its status. */
export const runPageShown = (e: DesktopE2e) => e.page.locator('section.run').waitFor({ timeout: 15_000 });

/** Closes the touch sheet after a failure, as a person does: Escape. It is modal until then. */
export async function closeSheet(e: DesktopE2e) {
  await e.page.keyboard.press('Escape');
  await e.page.locator('dialog.sheet[open]').waitFor({ state: 'detached', timeout: TIMEOUT });
}
