import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSender, guardedLookup } from '../../../../backend/adapters/notify/webhookSender';
import { NotifyFailure, type Notification } from '../../../../backend/core/notification';
import { startWebhookReceiver, type WebhookReceiver } from '../../../support/webhookReceiver';

/** The webhook sender against a real TLS receiver on 127.0.0.1 (local mode allows https to loopback). */
const SECRET = randomBytes(32);
const event: Notification = { v: 1, id: 'evt_0123456789abcdef', type: 'run.launched', at: '2026-11-22T10:00:00.000Z', job: 'nightly', runId: 'run_1', fingerprint: 'ABCD-EFGH', requester: 'ada' };
let tls: WebhookReceiver;
beforeAll(async () => {
  tls = await startWebhookReceiver({ secret: SECRET, tls: true });
});
afterAll(() => tls?.close());

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (e instanceof NotifyFailure ? e.reason : `not a NotifyFailure: ${String(e)}`));

describe('webhook sender', () => {
  it('posts the event over TLS, signed over the timestamp and the exact body', async () => {
    tls.deliveries.length = 0;
    const send = createWebhookSender({ url: `${tls.url}/hook`, mode: 'local', secret: async () => SECRET, timeoutMs: 5_000, ca: tls.cert!, now: () => 1_795_000_000_000 });
    await send(event);
    expect(tls.deliveries).toHaveLength(1);
    const [d] = tls.deliveries;
    expect(d!.raw).toBe(JSON.stringify(event));
    expect(d!.headers['x-keylaunch-timestamp']).toBe('1795000000');
    expect(d!.signed).toBe(true);
  });

  it('refuses a receiver whose certificate is not trusted: nothing is sent to it', async () => {
    tls.deliveries.length = 0;
    const send = createWebhookSender({ url: `${tls.url}/hook`, mode: 'local', secret: async () => SECRET, timeoutMs: 5_000 });
    expect(await failure(send(event))).toBe('unreachable');
    expect(tls.deliveries).toEqual([]);
  });

  it('a signature made with another key does not verify at the receiver', async () => {
    tls.deliveries.length = 0;
    const send = createWebhookSender({ url: `${tls.url}/hook`, mode: 'local', secret: async () => randomBytes(32), timeoutMs: 5_000, ca: tls.cert! });
    await send(event);
    expect(tls.deliveries[0]!.signed).toBe(false);
  });

  it('an unreadable signing secret is its own reason, and nothing is sent', async () => {
    tls.deliveries.length = 0;
    const send = createWebhookSender({ url: `${tls.url}/hook`, mode: 'local', secret: () => Promise.reject(new Error('AccessDenied')), timeoutMs: 5_000, ca: tls.cert! });
    expect(await failure(send(event))).toBe('secret_unavailable');
    expect(tls.deliveries).toEqual([]);
  });

  it('refuses to be built for a URL the settings would refuse (the environment is input too)', () => {
    for (const url of ['https://169.254.169.254/', 'http://hooks.example.com/', 'https://u:p@hooks.example.com/', 'http://127.0.0.1:1/']) {
      expect(() => createWebhookSender({ url, mode: 'aws', secret: async () => SECRET, timeoutMs: 1 }), url).toThrow(/^keylaunch: webhook /);
    }
  });

  it('a name that resolves to a refused address is refused at connect time (DNS pointing inside)', async () => {
    // `localhost` resolves to loopback: fine for local mode, refused for a deployed verifier.
    const resolve = (mode: 'aws' | 'local') =>
      new Promise<string>((done) => guardedLookup(mode)('localhost', { all: false }, (error, address) => done(error ? `refused: ${(error as NodeJS.ErrnoException).code}` : String(address))));
    expect(await resolve('aws')).toBe('refused: KEYLAUNCH_REFUSED_ADDRESS');
    expect(await resolve('local')).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});

describe('webhook sender deadline', () => {
  it('a receiver that never answers is a timeout at the sender’s own deadline (not only the caller’s bound)', async () => {
    const hook = await startWebhookReceiver({ secret: SECRET });
    try {
      hook.behave('hang');
      const send = createWebhookSender({ url: `${hook.url}/hook`, mode: 'local', secret: async () => SECRET, timeoutMs: 200 });
      expect(await failure(send(event))).toBe('timeout');
      expect(hook.deliveries).toHaveLength(1);
    } finally {
      await hook.close();
    }
  });
});
