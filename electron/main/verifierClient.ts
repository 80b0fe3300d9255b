import { X509Certificate, createHash } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { DesktopError } from '../shared/desktopApi';
import { DESKTOP_VERSION_HEADER } from '../../backend/core/desktopVersionHeader';

/**
 * The main process's client for the verifier: the app's only network client. HTTPS, or http only to
 * 127.0.0.1 in local mode (enforced by the config schema). With pins configured, a connection whose
 * certificate key is not pinned is dropped before anything is sent.
 */
export type VerifierReply<T> = { ok: true; value: T } | { ok: false; error: DesktopError };

export interface VerifierClient {
  call<T>(method: 'GET' | 'POST', path: string, o?: { body?: unknown; token?: string }): Promise<VerifierReply<T>>;
}

const TIMEOUT_MS = 20_000;
const MAX_RESPONSE_BYTES = 1024 * 1024;

export const spkiSha256 = (spkiDer: Buffer) => createHash('sha256').update(spkiDer).digest('base64');

const PIN_MISMATCH = 'keylaunch: certificate key not pinned';

/** Hostname check as usual, then the certificate's SubjectPublicKeyInfo must hash to a pin. */
function pinnedIdentity(pins: string[]) {
  return (host: string, cert: PeerCertificate): Error | undefined => {
    const usual = checkServerIdentity(host, cert);
    if (usual) return usual;
    const spki = new X509Certificate(cert.raw).publicKey.export({ type: 'spki', format: 'der' });
    return pins.includes(spkiSha256(spki)) ? undefined : Object.assign(new Error(PIN_MISMATCH), { reason: PIN_MISMATCH });
  };
}


export function createVerifierClient(o: {
  verifierUrl: string;
  pinSha256?: string[];
  /** extra trusted CA (PEM), e.g. a private CA */
  ca?: string;
  /** Sent on every call, so a verifier can refuse a vulnerable release (`client_outdated`). */
  desktopVersion?: string;
}): VerifierClient {
  const base = new URL(o.verifierUrl);
  const https = base.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  // A pool of our own: the global agent's pool key ignores checkServerIdentity, so a socket verified
  // under other rules (or none) could otherwise be reused and skip the pin check.
  const agent = https
    ? new HttpsAgent({
        keepAlive: true,
        ...(o.ca ? { ca: o.ca } : {}),
        // Pinning inside the handshake (Node's documented hook): nothing is sent to an unpinned key.
        ...(o.pinSha256?.length ? { checkServerIdentity: pinnedIdentity(o.pinSha256) } : {}),
      })
    : new HttpAgent({ keepAlive: true });
  return {
    call<T>(method: 'GET' | 'POST', path: string, options: { body?: unknown; token?: string } = {}) {
      return new Promise<VerifierReply<T>>((resolve) => {
        const body = options.body === undefined ? undefined : JSON.stringify(options.body);
        // The verifier URL may carry a path (an API Gateway stage): routes are relative to it.
        const url = new URL(`${base.pathname.replace(/\/$/, '')}${path}`, base.origin);
        // Whatever the base path and the route, a request goes to the verifier's own origin or nowhere.
        if (url.origin !== base.origin || !path.startsWith('/v1/')) {
          resolve({ ok: false, error: { code: 'bad_request', message: 'Refused to send a request outside the verifier.' } });
          return;
        }
        const req = send(url, {
          method,
          agent,
          timeout: TIMEOUT_MS,
          headers: {
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(o.desktopVersion ? { [DESKTOP_VERSION_HEADER]: o.desktopVersion } : {}),
          },
        });
        const fail = (code: string, message: string) => resolve({ ok: false, error: { code, message } });
        req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
        req.on('error', (e: NodeJS.ErrnoException) => {
          if ((e as { reason?: string }).reason === PIN_MISMATCH) fail('certificate_mismatch', 'The verifier’s certificate does not match the pinned key.');
          else fail('verifier_unreachable', `The verifier at ${base.host} cannot be reached (${e.code ?? 'error'}).`);
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) return void req.destroy(Object.assign(new Error('too large'), { code: 'ERESPONSETOOLARGE' }));
            chunks.push(c);
          });
          res.on('end', () => {
            let parsed: unknown;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              return fail('verifier_unreachable', `The verifier answered ${res.statusCode} with something that is not JSON.`);
            }
            if (res.statusCode === 200) return resolve({ ok: true, value: parsed as T });
            const error = (parsed as { error?: DesktopError }).error;
            resolve({ ok: false, error: error && typeof error.code === 'string' ? error : { code: 'verifier_unreachable', message: `The verifier answered ${res.statusCode}.` } });
          });
        });
        req.end(body);
      });
    },
  };
}
