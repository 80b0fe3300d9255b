import * as z from 'zod';
import { KeylaunchError } from './errors';
import { describeZodError } from './describeZodError';

/** A run's challenge lives at most this long, so an approval was signed within it before the intent's expiry (receipts rely on it). */
export const MAX_RUN_CHALLENGE_TTL_SECONDS = 60;

/**
 * The verifier's settings. Limits from docs/security.md are enforced here, so a config cannot ask for
 * longer-lived challenges or sessions than the protocol allows.
 */
export const verifierConfigSchema = z.strictObject({
  rpId: z.string().min(1).max(253),
  rpName: z.string().min(1).max(100).default('keylaunch'),
  /** Exact origins the app runs at, e.g. `https://keylaunch.example.com` or `http://localhost:5317`. */
  origins: z.array(z.url()).min(1),
  /** HMAC key for session tokens: base64, at least 32 bytes. */
  sessionSecret: z.string().refine((s) => Buffer.from(s, 'base64').length >= 32, 'at least 32 bytes, base64'),
  sessionTtlSeconds: z.number().int().min(60).max(3600).default(600),
  runChallengeTtlSeconds: z.number().int().min(10).max(MAX_RUN_CHALLENGE_TTL_SECONDS).default(60),
  unlockChallengeTtlSeconds: z.number().int().min(10).max(120).default(120),
  enrollChallengeTtlSeconds: z.number().int().min(30).max(300).default(300),
  inviteTtlHours: z.number().min(1).max(24 * 14).default(24),
  /** Source addresses allowed to call at all (docs/security.md, property 9). */
  allowedCidrs: z.array(z.string()).min(1),
  rateLimit: z
    .strictObject({
      windowSeconds: z.number().int().min(10).max(86_400).default(300),
      maxFailuresPerIp: z.number().int().min(1).default(30),
      maxFailuresPerUser: z.number().int().min(1).default(10),
    })
    .default({ windowSeconds: 300, maxFailuresPerIp: 30, maxFailuresPerUser: 10 }),
  maxBodyBytes: z.number().int().min(1024).max(1024 * 1024).default(64 * 1024),
  /** Desktops older than this (semver) are refused with client_outdated: the kill switch for a bad release. */
  minDesktopVersion: z.string().regex(/^\d+\.\d+\.\d+$/, 'a version such as 0.2.0').optional(),
});

export type VerifierConfigInput = z.input<typeof verifierConfigSchema>;
export type VerifierConfig = z.output<typeof verifierConfigSchema>;

export function parseVerifierConfig(input: unknown): VerifierConfig {
  const parsed = verifierConfigSchema.safeParse(input);
  if (!parsed.success) throw new KeylaunchError('bad_request', `Invalid verifier config: ${describeZodError(parsed.error)}`);
  return parsed.data;
}
