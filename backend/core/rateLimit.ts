import ipaddr from 'ipaddr.js';
import { KeylaunchError, type ErrorCode } from './errors';
import type { VerifierConfig } from './config';
import type { Clock, Store } from './ports';

/**
 * docs/security.md, property 10, sliding windows: a key (a source address, or a user) is locked while it has
 * `max` failures within the last `windowSeconds`, and unlocks when the oldest of those leaves the
 * window — no wall-clock boundary that resets a lock early or grants two windows' worth of tries.
 * Failures live in the Store, so every Lambda instance sees the same ones.
 *
 * Throttling must not be a weapon (issue 11 §2): a failure anyone can cause in someone's name counts
 * against the source address only. Only a request that proves one of the user's keys (a genuine
 * session token) counts against, and is gated by, that user.
 */

/**
 * Refusals that count as failures. Plain input mistakes (bad_request, params_invalid) do not, nor do
 * refusals at the edge (outside the allowlist, cross-site, wrong content type): those are refused
 * every time anyway and must cost no storage write.
 */
const COUNTED: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'invite_invalid',
  'challenge_unknown',
  'challenge_used',
  'challenge_expired',
  'credential_unknown',
  'credential_revoked',
  'credential_suspended',
  'counter_regression',
  'user_disabled',
  'verification_failed',
  'session_invalid',
  'not_authorized',
  'proposer_invalid',
]);

export interface RateLimitKeys {
  ip: string;
  /** The user id of a genuine session token, when the request carries one. */
  provenUser?: string;
}

export function createRateLimiter(deps: { store: Store; clock: Clock; config: VerifierConfig }) {
  const { windowSeconds, maxFailuresPerIp, maxFailuresPerUser } = deps.config.rateLimit;
  const windowMs = windowSeconds * 1000;

  /** Seconds until this key may try again, or 0 when it is not locked. */
  async function lockedFor(key: string, max: number): Promise<number> {
    const now = deps.clock.now();
    const recent = await deps.store.recentFailures(key, now - windowMs, max);
    if (recent.length < max) return 0;
    return Math.max(1, Math.ceil((recent[max - 1]! + windowMs - now) / 1000));
  }
  const refuse = (retryAfterSeconds: number) =>
    new KeylaunchError('rate_limited', 'Too many failed attempts from here; wait and try again.', { details: { retryAfterSeconds } });

  return {
    /** Seconds the address is locked for (0: not locked). */
    addressLockedFor: (ip: string) => lockedFor(addressKey(ip), maxFailuresPerIp),
    /** Refuses (`rate_limited`) a locked address, or a locked proven user. */
    async check(keys: RateLimitKeys, o: { address: boolean } = { address: true }): Promise<void> {
      const [ip, user] = await Promise.all([
        o.address ? lockedFor(addressKey(keys.ip), maxFailuresPerIp) : 0,
        keys.provenUser ? lockedFor(`user:${keys.provenUser}`, maxFailuresPerUser) : 0,
      ]);
      if (ip > 0 || user > 0) throw refuse(Math.max(ip, user));
    },
    refuse,
    counts: (code: ErrorCode) => COUNTED.has(code),
    async recordFailure(keys: RateLimitKeys): Promise<void> {
      const now = deps.clock.now();
      await deps.store.recordFailure([addressKey(keys.ip), ...(keys.provenUser ? [`user:${keys.provenUser}`] : [])], now, now + windowMs);
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;

/**
 * The key a source address is counted under. An IPv6 host usually holds a whole /64 and can pick any
 * address in it, so IPv6 is counted per /64 (an IPv4-mapped address as its IPv4 address); IPv4 per address.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return `ip:${ip}`;
  const parsed = ipaddr.process(ip); // ::ffff:a.b.c.d becomes a.b.c.d
  if (parsed.kind() === 'ipv4') return `ip:${parsed.toString()}`;
  const parts = (parsed as ipaddr.IPv6).toNormalizedString().split(':').slice(0, 4);
  return `ip:${parts.join(':')}::/64`;
}
