import { KeylaunchError } from './errors';
import { announce } from './notification';
import { toBase64Url } from './encoding';
import { challengeMatches, deriveChallenge, intentHash } from './intent';
import { randomId } from './ids';
import type { VerifierDeps, RequestContext } from './deps';
import type { ChallengeRecord, Credential, Intent, Purpose, User } from './model';

/**
 * The steps every touch-approved action shares: issue a challenge bound to an intent, consume it once,
 * find the credential that answered, and advance its counter (docs/security.md "The properties").
 */

/** A challenge record with its intent's hash, computed once per request (fingerprint, run record). */
export type BoundChallenge = ChallengeRecord & { intentHash: Buffer };

export async function issueChallenge(
  deps: VerifierDeps,
  intent: Intent,
  extra: Pick<ChallengeRecord, 'pendingCredential'> = {},
): Promise<BoundChallenge> {
  const nonce = deps.random.bytes(32);
  const hash = intentHash(intent);
  const record: ChallengeRecord = {
    intentId: randomId('int_', deps.random),
    purpose: intent.purpose,
    challenge: deriveChallenge(intent, nonce, hash),
    nonce: toBase64Url(nonce),
    intent,
    expiresAt: intent.expiresAt,
    ...extra,
  };
  await deps.store.putChallenge(record);
  return { ...record, intentHash: hash };
}

/** §1 single use and §2 short life: the record is consumed atomically, then re-derived and compared. */
export async function consumeChallenge(deps: VerifierDeps, intentId: string, purpose: Purpose): Promise<BoundChallenge> {
  const result = await deps.store.consumeChallenge(intentId, deps.clock.now());
  if (!result.ok) {
    if (result.reason === 'expired') throw new KeylaunchError('challenge_expired', 'The approval request expired; start again.');
    if (result.reason === 'used') throw new KeylaunchError('challenge_used', 'This approval was already used.');
    throw new KeylaunchError('challenge_unknown', 'No such approval request.');
  }
  const { record } = result;
  if (record.purpose !== purpose) throw new KeylaunchError('challenge_unknown', 'This approval request is for another action.');
  // The stored challenge must be the one derived from the stored intent: a record altered at rest fails.
  const hash = intentHash(record.intent);
  if (!challengeMatches(record.challenge, record.intent, record.nonce, hash)) {
    throw new KeylaunchError('verification_failed', 'The approval request does not match its intent.');
  }
  return { ...record, intentHash: hash };
}

/** §6: only a known, unrevoked, unsuspended credential of an enabled user, and one the intent allowed. */
export function activeCredential(
  user: User | undefined,
  credentials: Credential[],
  credentialId: string,
  allowCredentials: string[],
): Credential {
  const credential = user ? credentials.find((c) => c.id === credentialId) : undefined;
  if (!user || !credential || !allowCredentials.includes(credentialId)) {
    throw new KeylaunchError('credential_unknown', 'This security key is not registered for this request.');
  }
  if (user.disabled) throw new KeylaunchError('user_disabled', 'This user is disabled.');
  if (credential.revokedAt !== undefined) throw new KeylaunchError('credential_revoked', 'This security key has been revoked.');
  if (credential.suspendedAt !== undefined) {
    throw new KeylaunchError('credential_suspended', 'This security key is suspended (its signature counter went backwards).');
  }
  return credential;
}

export const isActive = (c: Credential) => c.revokedAt === undefined && c.suspendedAt === undefined;

/**
 * §5: the new counter must exceed the stored one unless both are 0. A regression means the key may be
 * cloned: the credential is suspended and the request refused.
 */
export async function commitCounter(deps: VerifierDeps, ctx: RequestContext, credential: Credential, next: number): Promise<void> {
  const now = deps.clock.now();
  const result = await deps.store.advanceCounter(credential.userId, credential.id, next, now);
  if (result === 'advanced') return;
  if (result === 'regressed') {
    await deps.store.setCredentialState(credential.userId, credential.id, { suspendedAt: now });
    ctx.facts.detail = `possible cloned key: counter ${next} after ${credential.counter}; credential suspended`;
    await announce(deps, { type: 'key.suspended', user: ctx.facts.userName ?? credential.userId, keyId: credential.id });
    throw new KeylaunchError('counter_regression', 'The security key’s counter went backwards, so it may be cloned; it is now suspended.');
  }
  throw new KeylaunchError('credential_revoked', 'This security key was revoked or suspended meanwhile.');
}
