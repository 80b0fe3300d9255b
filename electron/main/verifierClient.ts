import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { DesktopError } from '../shared/desktopApi';

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

export function createVerifierClient(o: { verifierUrl: string; pinSha256?: string[]; /** extra trusted CA (PEM), e.g. a private CA */ ca?: string }): VerifierClient {
  const base = new URL(o.verifierUrl);
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
  return {
    call<T>(method: 'GET' | 'POST', path: string, options: { body?: unknown; token?: string } = {}) {
      return new Promise<VerifierReply<T>>((resolve) => {
        const body = options.body === undefined ? undefined : JSON.stringify(options.body);
        const url = new URL(path, base);
        const req = send(url, {
          method,
          ...(o.ca ? { ca: o.ca } : {}),
          timeout: TIMEOUT_MS,
          headers: {
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
        });
        const fail = (code: string, message: string) => resolve({ ok: false, error: { code, message } });
        if (o.pinSha256?.length && base.protocol === 'https:') {
          req.on('socket', (socket) => {
            socket.once('secureConnect', () => {
              // The whole SubjectPublicKeyInfo (getPeerCertificate().pubkey is only the raw key for EC).
              const cert = (socket as TLSSocket).getPeerX509Certificate();
              const spki = cert?.publicKey.export({ type: 'spki', format: 'der' });
              if (!spki || !o.pinSha256!.includes(spkiSha256(spki))) {
                req.destroy(Object.assign(new Error('pin'), { code: 'KEYLAUNCH_PIN_MISMATCH' }));
              }
            });
          });
        }
        req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
        req.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'KEYLAUNCH_PIN_MISMATCH') fail('certificate_mismatch', 'The verifier’s certificate does not match the pinned key.');
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
