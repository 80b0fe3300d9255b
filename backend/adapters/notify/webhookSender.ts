import { createHmac } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { NotifyFailure, type Notification } from '../../core/notification';
import { addressProblem, webhookUrlProblem, type WebhookMode } from '../../core/webhookUrl';

/**
 * Delivers a notification to a webhook (docs/notifications.md): one POST of the JSON body, signed with
 * HMAC-SHA256 over `<timestamp>.<body>` under the deployment's notification secret, so a receiver can
 * tell it came from this verifier and refuse a replay. The URL is checked again here and the address its
 * name resolves to at connect time (webhookUrl.ts). No redirect is followed, the answer's body is never
 * read, and the whole exchange is bounded by `timeoutMs`.
 */
export const SIGNATURE_HEADER = 'x-keylaunch-signature';
export const TIMESTAMP_HEADER = 'x-keylaunch-timestamp';

export interface WebhookSenderOptions {
  url: string;
  mode: WebhookMode;
  /** The signing key: read on first use (Secrets Manager in AWS, a 0600 file locally). */
  secret: () => Promise<Buffer>;
  timeoutMs: number;
  now?: () => number;
  /** Certificates to trust instead of the system's (a receiver behind a private CA). */
  ca?: string;
}

export function createWebhookSender(o: WebhookSenderOptions): (notification: Notification) => Promise<void> {
  const problem = webhookUrlProblem(o.url, o.mode);
  if (problem) throw new Error(`keylaunch: webhook ${problem}`);
  const url = new URL(o.url);
  const now = o.now ?? Date.now;
  const lookup = guardedLookup(o.mode);

  return async (notification) => {
    const secret = await o.secret().catch((cause: unknown) => {
      throw new NotifyFailure('secret_unavailable', 'the notification signing secret could not be read', { cause });
    });
    const body = JSON.stringify(notification);
    const timestamp = String(Math.floor(now() / 1000));
    const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    const status = await post(url, body, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'keylaunch-notify/1',
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: `v1=${signature}`,
      'x-keylaunch-event': notification.type,
      'x-keylaunch-delivery': notification.id,
    }, lookup, o.timeoutMs, o.ca);
    // A redirect is an answer, not a new destination: it is not followed.
    if (status < 200 || status > 299) throw new NotifyFailure('http_status', `the webhook answered HTTP ${status}`);
  };
}

/** Resolves as usual, then refuses an address the URL itself could not have named (a public name pointing inside). */
export function guardedLookup(mode: WebhookMode): LookupFunction {
  return (hostname, options, callback) =>
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.map((a) => addressProblem(a.address, mode)).find(Boolean);
      if (refused || !addresses.length) return callback(Object.assign(new Error(`${hostname}: a webhook ${refused ?? 'needs an address'}`), { code: 'KEYLAUNCH_REFUSED_ADDRESS' }), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
}

function post(url: URL, body: string, headers: Record<string, string>, lookup: LookupFunction, timeoutMs: number, ca: string | undefined): Promise<number> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'POST', headers, lookup, agent: false, ...(ca ? { ca } : {}) }, (res) => {
      clearTimeout(deadline);
      // The answer's body is the receiver's business: drained unread, so nothing of it is kept or parsed.
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    // A whole-exchange deadline, not an idle timeout: a receiver dripping bytes cannot keep the socket open.
    const deadline = setTimeout(() => {
      const late = new NotifyFailure('timeout', `no answer within ${timeoutMs} ms`);
      reject(late);
      req.destroy(late);
    }, timeoutMs);
    deadline.unref();
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(deadline);
      if (error instanceof NotifyFailure) return reject(error);
      reject(new NotifyFailure(error.code === 'KEYLAUNCH_REFUSED_ADDRESS' ? 'refused_address' : 'unreachable', error.message, { cause: error }));
    });
    req.end(body);
  });
}
