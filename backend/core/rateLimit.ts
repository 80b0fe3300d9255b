import { KeylaunchError, type ErrorCode } from './errors';
import type { VerifierConfig } from './config';
import type { Clock, Store } from './ports';

/**
 * protocol.md §10: failures are counted per source IP and per user in fixed windows; past the limit,
 * requests are refused with `rate_limited` until the window ends. Counts live in the Store, so every
 * Lambda instance sees the same numbers.
 */

/** Refusals that count as failures. Plain input mistakes (bad_request, params_invalid) do not. */
const COUNTED: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ip_not_allowed',
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
]);

export interface RateLimitKeys {
  ip: string;
  user?: string;
}

export function createRateLimiter(deps: { store: Store; clock: Clock; config: VerifierConfig }) {
  const { windowSeconds, maxFailuresPerIp, maxFailuresPerUser } = deps.config.rateLimit;
  const windowMs = windowSeconds * 1000;
  const windowStart = (now: number) => Math.floor(now / windowMs) * windowMs;
  const keysOf = (k: RateLimitKeys) => [`ip:${k.ip}`, ...(k.user ? [`user:${k.user}`] : [])];

  return {
    async check(keys: RateLimitKeys): Promise<void> {
      const now = deps.clock.now();
      const [ipCount = 0, userCount = 0] = await deps.store.countFailures(keysOf(keys), windowStart(now));
      if (ipCount >= maxFailuresPerIp || userCount >= maxFailuresPerUser) {
        const retryAfterSeconds = Math.ceil((windowStart(now) + windowMs - now) / 1000);
        throw new KeylaunchError('rate_limited', 'Too many failed attempts; wait and try again.', { details: { retryAfterSeconds } });
      }
    },
    counts: (code: ErrorCode) => COUNTED.has(code),
    async recordFailure(keys: RateLimitKeys): Promise<void> {
      const start = windowStart(deps.clock.now());
      await deps.store.recordFailure(keysOf(keys), start, start + windowMs);
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
