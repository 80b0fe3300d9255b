import { KeylaunchError } from './errors';
import { announce } from './notification';
import { activeCredential, commitCounter, consumeChallenge, isActive, issueChallenge } from './approval';
import { fingerprint } from './intent';
import { fromBase64Url, sha256 } from './encoding';
import { loadSession, type ActiveSession } from './sessionGuard';
import {
  requestOptions,
  verifyAssertion,
  type AuthenticationResponseJSON,
  type CreationOptions,
  type RequestOptions,
  type RegistrationResponseJSON,
} from './webauthn';
import type { RequestContext, VerifierDeps } from './deps';
import type { ChallengeRecord, KeyIntent, RegisterKeyIntent } from './model';
import { publicKey, type PublicKey } from './views';

/**
 * A person's keys. Adding or revoking one needs a fresh touch of a key they already hold: a session
 * alone (or a compromised renderer holding it) can never register an attacker's key.
 */

export async function listKeys(deps: VerifierDeps, ctx: RequestContext): Promise<{ keys: PublicKey[] }> {
  const [, session] = await Promise.all([ctx.gate, loadSession(deps, ctx)]);
  return { keys: session.credentials.map(publicKey) };
}

async function approvalFor(deps: VerifierDeps, session: ActiveSession, intent: KeyIntent, extra: Pick<ChallengeRecord, 'pendingCredential'> = {}) {
  const record = await issueChallenge(deps, intent, extra);
  const options = await requestOptions({
    rpId: deps.config.rpId,
    challenge: record.challenge,
    allow: session.credentials.filter((c) => intent.allowCredentials.includes(c.id)),
    userVerification: 'discouraged',
    timeoutMs: intent.expiresAt - deps.clock.now(),
  });
  return { record, options, fingerprint: fingerprint(intent, record.intentHash) };
}

// Two ceremonies (register, then approve) may need longer than a run: the unlock limit applies.
const keyTtl = (deps: VerifierDeps) => deps.clock.now() + deps.config.unlockChallengeTtlSeconds * 1000;

function keyIntent(deps: VerifierDeps, session: ActiveSession, purpose: KeyIntent['purpose'], extra: Partial<KeyIntent> = {}): KeyIntent {
  return {
    v: 1,
    purpose,
    userId: session.user.id,
    allowCredentials: session.credentials.filter(isActive).map((c) => c.id),
    origin: deps.config.origins,
    rpId: deps.config.rpId,
    expiresAt: keyTtl(deps),
    ...extra,
  };
}

/**
 * Adding a key, in three steps, so the touch approves exactly the new key (docs/security.md "Found by an
 * attacker's review"): 1. register the new key (a challenge bound to the person only); 2. the verifier
 * checks that registration and issues an add_key intent naming the new key's id and public-key hash;
 * 3. a touch of an existing key approves that intent, and only then is the key stored.
 */
export interface AddKeyOptions {
  intentId: string;
  /** Register the new key. */
  registration: CreationOptions;
  expiresAt: number;
}

export async function startAddKey(deps: VerifierDeps, ctx: RequestContext): Promise<AddKeyOptions> {
  const [, session] = await Promise.all([ctx.gate, loadSession(deps, ctx)]);
  const intent: RegisterKeyIntent = { v: 1, purpose: 'register_key', userId: session.user.id, origin: deps.config.origins, rpId: deps.config.rpId, expiresAt: keyTtl(deps) };
  const record = await issueChallenge(deps, intent);
  const { creationOptions } = await import('./webauthnRegistration'); // loaded on first use: see its header
  const registration = await creationOptions({
    rpId: deps.config.rpId,
    rpName: deps.config.rpName,
    challenge: record.challenge,
    userId: session.user.id,
    userName: session.user.name,
    exclude: session.credentials.filter((c) => c.revokedAt === undefined),
    timeoutMs: intent.expiresAt - deps.clock.now(),
  });
  return { intentId: record.intentId, registration, expiresAt: intent.expiresAt };
}

/** What the approving touch will add: shown by main's review before the touch. */
export interface NewKeyApproval {
  intentId: string;
  approval: RequestOptions;
  fingerprint: string;
  expiresAt: number;
  key: { id: string; label: string; publicKeySha256: string };
}

export const publicKeySha256 = (publicKey: string) => sha256(fromBase64Url(publicKey)).toString('hex');

export async function approveNewKey(
  deps: VerifierDeps,
  ctx: RequestContext,
  input: { intentId: string; registration: RegistrationResponseJSON; label: string },
): Promise<NewKeyApproval> {
  const [, session, registered] = await Promise.all([ctx.gate, loadSession(deps, ctx), consumeChallenge(deps, input.intentId, 'register_key')]);
  if ((registered.intent as RegisterKeyIntent).userId !== session.user.id) throw new KeylaunchError('not_authorized', 'This registration belongs to another user.');
  const { verifyRegistration } = await import('./webauthnRegistration');
  const verified = await verifyRegistration({ response: input.registration, challenge: registered.challenge, origins: deps.config.origins, rpId: deps.config.rpId });
  if (session.credentials.some((c) => c.id === verified.id)) throw new KeylaunchError('bad_request', 'This key is already registered.');
  const newKey = { credentialId: verified.id, publicKeySha256: publicKeySha256(verified.publicKey), label: input.label };
  const intent = keyIntent(deps, session, 'add_key', { newKey, expiresAt: registered.intent.expiresAt });
  const { record, options, fingerprint: fp } = await approvalFor(deps, session, intent, { pendingCredential: verified });
  ctx.facts.fingerprint = fp;
  ctx.facts.detail = `add key ${verified.id}`;
  return { intentId: record.intentId, approval: options, fingerprint: fp, expiresAt: intent.expiresAt, key: { id: verified.id, label: input.label, publicKeySha256: newKey.publicKeySha256 } };
}

/** Consumes a key-management approval and checks the touch that answered it. */
async function approve(deps: VerifierDeps, ctx: RequestContext, purpose: KeyIntent['purpose'], intentId: string, assertion: AuthenticationResponseJSON) {
  const [, session, record] = await Promise.all([ctx.gate, loadSession(deps, ctx), consumeChallenge(deps, intentId, purpose)]);
  const intent = record.intent as KeyIntent;
  ctx.facts.fingerprint = fingerprint(intent, record.intentHash);
  if (intent.userId !== session.user.id) throw new KeylaunchError('not_authorized', 'This approval belongs to another user.');
  const approver = activeCredential(session.user, session.credentials, assertion.id, intent.allowCredentials);
  const { newCounter } = await verifyAssertion({
    response: assertion,
    challenge: record.challenge,
    origins: deps.config.origins,
    rpId: deps.config.rpId,
    credential: approver,
    requireUserVerification: false,
  });
  return { session, record, intent, approver, newCounter };
}

export async function finishAddKey(
  deps: VerifierDeps,
  ctx: RequestContext,
  input: { intentId: string; assertion: AuthenticationResponseJSON },
): Promise<{ key: PublicKey }> {
  const { session, record, intent, approver, newCounter } = await approve(deps, ctx, 'add_key', input.intentId, input.assertion);
  const pending = record.pendingCredential;
  // The key stored is the one the touch approved: its id and public-key hash are in the signed intent.
  if (!pending || !intent.newKey || pending.id !== intent.newKey.credentialId || publicKeySha256(pending.publicKey) !== intent.newKey.publicKeySha256) {
    throw new KeylaunchError('verification_failed', 'The key to add is not the one this touch approved.');
  }
  if (session.credentials.some((c) => c.id === pending.id)) throw new KeylaunchError('bad_request', 'This key is already registered.');
  await commitCounter(deps, ctx, approver, newCounter);
  const credential = { ...pending, userId: session.user.id, label: intent.newKey.label, createdAt: deps.clock.now() };
  await deps.store.putCredential(credential);
  ctx.facts.detail = `added key ${credential.id}`;
  await announce(deps, { type: 'key.added', user: session.user.name, keyId: credential.id, ...(ctx.facts.fingerprint ? { fingerprint: ctx.facts.fingerprint } : {}) });
  return { key: publicKey(credential) };
}

export async function startRevokeKey(
  deps: VerifierDeps,
  ctx: RequestContext,
  input: { credentialId: string; allowLastKey: boolean },
): Promise<{ intentId: string; approval: RequestOptions; fingerprint: string; expiresAt: number; key: { id: string; label: string } }> {
  const [, session] = await Promise.all([ctx.gate, loadSession(deps, ctx)]);
  const target = ensureRevocable(session, input.credentialId, input.allowLastKey);
  const intent = keyIntent(deps, session, 'revoke_key', { credentialId: input.credentialId, allowLastKey: input.allowLastKey });
  const { record, options, fingerprint: fp } = await approvalFor(deps, session, intent);
  ctx.facts.fingerprint = fp;
  ctx.facts.detail = `revoke key ${input.credentialId}`;
  // The key's label, so the desktop's review names the key the touch revokes.
  return { intentId: record.intentId, approval: options, fingerprint: fp, expiresAt: intent.expiresAt, key: { id: target.id, label: target.label } };
}

export async function finishRevokeKey(
  deps: VerifierDeps,
  ctx: RequestContext,
  input: { intentId: string; assertion: AuthenticationResponseJSON },
): Promise<{ key: PublicKey }> {
  const { session, intent, approver, newCounter } = await approve(deps, ctx, 'revoke_key', input.intentId, input.assertion);
  const target = ensureRevocable(session, intent.credentialId ?? '', intent.allowLastKey === true);
  await commitCounter(deps, ctx, approver, newCounter);
  const revokedAt = deps.clock.now();
  await deps.store.setCredentialState(session.user.id, target.id, { revokedAt });
  ctx.facts.detail = `revoked key ${target.id}`;
  await announce(deps, { type: 'key.revoked', user: session.user.name, keyId: target.id, ...(ctx.facts.fingerprint ? { fingerprint: ctx.facts.fingerprint } : {}) });
  return { key: publicKey({ ...target, revokedAt }) };
}

/** A person's last usable key is not revoked by accident: it takes an explicit allowLastKey. */
function ensureRevocable(session: ActiveSession, credentialId: string, allowLastKey: boolean) {
  const target = session.credentials.find((c) => c.id === credentialId && c.revokedAt === undefined);
  if (!target) throw new KeylaunchError('credential_unknown', 'You have no such unrevoked key.');
  const othersActive = session.credentials.filter((c) => c.id !== credentialId && isActive(c)).length;
  if (othersActive === 0 && !allowLastKey) {
    throw new KeylaunchError('last_key', 'This is your last usable key: revoking it locks you out until an admin invites you again.');
  }
  return target;
}
