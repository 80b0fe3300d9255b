import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { KeylaunchError } from './errors';
import { fromBase64Url, toBase64Url } from './encoding';

/**
 * Session tokens (docs/security.md "Principals and records"): `v1.<payload>.<HMAC-SHA256(secret, payload)>`, short-lived,
 * bound to the user and the credential that unlocked. The desktop keeps them in memory only. User and
 * credential state are re-read on every use, so disabling a user or revoking a key ends their sessions.
 */
const payloadSchema = z.strictObject({
  sid: z.string(),
  uid: z.string(),
  name: z.string(),
  cid: z.string(),
  iat: z.number(),
  exp: z.number(),
});
export type SessionClaims = z.infer<typeof payloadSchema>;

const mac = (secret: Buffer, payload: string) => createHmac('sha256', secret).update(`keylaunch/session/v1.${payload}`).digest();

export function issueSessionToken(secret: Buffer, claims: SessionClaims): string {
  const payload = toBase64Url(Buffer.from(JSON.stringify(claims)));
  return `v1.${payload}.${toBase64Url(mac(secret, payload))}`;
}

export function readSessionToken(secret: Buffer, token: string, now: number): SessionClaims {
  const invalid = () => new KeylaunchError('session_invalid', 'The session is not valid; unlock again.');
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') throw invalid();
  const [, payload, signature] = parts as [string, string, string];
  const expected = mac(secret, payload);
  const given = fromBase64Url(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let claims: SessionClaims;
  try {
    claims = payloadSchema.parse(JSON.parse(fromBase64Url(payload).toString('utf8')));
  } catch {
    throw invalid();
  }
  return liveSession(claims, now);
}

/** The claims, if the session has not yet expired. */
export function liveSession(claims: SessionClaims, now: number): SessionClaims {
  if (claims.exp <= now) throw new KeylaunchError('session_expired', 'The session has expired; touch your key to unlock again.');
  return claims;
}
