import { timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonicalJson';
import { base32Crockford, fromBase64Url, sha256, toBase64Url } from './encoding';
import type { Intent } from './model';

/**
 * How an intent is bound into a WebAuthn challenge (docs/security.md "Bound challenges"):
 *   challenge = SHA-256("keylaunch/<purpose>/v1" || 0x00 || nonce || SHA-256(canonical intent))
 * The authenticator signs the challenge, so an assertion approves exactly one intent.
 */
export function intentHash(intent: Intent): Buffer {
  return sha256(canonicalJson(intent));
}

/** `hash`: the intent's hash when the caller has it already (it is computed once per request). */
export function deriveChallenge(intent: Intent, nonce: Buffer, hash: Buffer = intentHash(intent)): string {
  const domain = Buffer.from(`keylaunch/${intent.purpose}/v1`, 'utf8');
  return toBase64Url(sha256(domain, Buffer.from([0]), nonce, hash));
}

/** Recomputes the challenge from the stored nonce + intent and compares it in constant time. */
export function challengeMatches(stored: string, intent: Intent, nonce: string, hash: Buffer = intentHash(intent)): boolean {
  const expected = fromBase64Url(deriveChallenge(intent, fromBase64Url(nonce), hash));
  const actual = fromBase64Url(stored);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The short code the person compares before touching, e.g. `K7QX-2M4P` (40 bits of the intent hash). */
export function fingerprint(intent: Intent, hash: Buffer = intentHash(intent)): string {
  const code = base32Crockford(hash, 8);
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
