import { KeylaunchError } from './errors';
import { announce } from './notification';
import { consumeChallenge, issueChallenge } from './approval';
import { inviteCodeHash } from './invites';
import { randomId } from './ids';
import type { CreationOptions, RegistrationResponseJSON } from './webauthn';
import type { RequestContext, VerifierDeps } from './deps';
import type { EnrollIntent } from './model';
import { publicKey, type PublicKey } from './views';

/** Enrollment: invite code -> registration options -> verified key -> user + credential (docs/security.md). */

export interface EnrollmentOptions {
  intentId: string;
  options: CreationOptions;
  user: { name: string; role: string };
  expiresAt: number;
}

export async function startEnrollment(deps: VerifierDeps, ctx: RequestContext, input: { inviteCode: string }): Promise<EnrollmentOptions> {
  await ctx.gate;
  const now = deps.clock.now();
  const inviteHash = inviteCodeHash(input.inviteCode);
  const invite = await deps.store.getInvite(inviteHash);
  // One answer for unknown, used and expired codes: the response tells a guesser nothing.
  if (!invite || invite.redeemedAt !== undefined || invite.expiresAt <= now) {
    throw new KeylaunchError('invite_invalid', 'This invite code is not valid (unknown, already used or expired).');
  }
  ctx.facts.userName = invite.userName;
  if (await deps.store.getUserByName(invite.userName)) throw new KeylaunchError('user_exists', `User ${invite.userName} already exists.`);
  const intent: EnrollIntent = {
    v: 1,
    purpose: 'enroll',
    inviteHash,
    userId: randomId('u_', deps.random, 12),
    userName: invite.userName,
    role: invite.role,
    ...(invite.groups?.length ? { groups: invite.groups } : {}),
    origin: deps.config.origins,
    rpId: deps.config.rpId,
    expiresAt: Math.min(now + deps.config.enrollChallengeTtlSeconds * 1000, invite.expiresAt),
  };
  const record = await issueChallenge(deps, intent);
  const { creationOptions } = await import('./webauthnRegistration'); // loaded on first use: see its header
  const options = await creationOptions({
    rpId: deps.config.rpId,
    rpName: deps.config.rpName,
    challenge: record.challenge,
    userId: intent.userId,
    userName: intent.userName,
    exclude: [],
    timeoutMs: intent.expiresAt - now,
  });
  return { intentId: record.intentId, options, user: { name: intent.userName, role: intent.role }, expiresAt: intent.expiresAt };
}

export async function finishEnrollment(
  deps: VerifierDeps,
  ctx: RequestContext,
  input: { intentId: string; registration: RegistrationResponseJSON; label: string },
): Promise<{ user: { id: string; name: string; role: string }; key: PublicKey }> {
  await ctx.gate;
  const record = await consumeChallenge(deps, input.intentId, 'enroll');
  const intent = record.intent as EnrollIntent;
  ctx.facts.userName = intent.userName;
  const { verifyRegistration } = await import('./webauthnRegistration');
  const verified = await verifyRegistration({
    response: input.registration,
    challenge: record.challenge,
    origins: deps.config.origins,
    rpId: deps.config.rpId,
  });
  const now = deps.clock.now();
  // The invite is spent only once the key has verified, so a cancelled touch does not burn it.
  if (!(await deps.store.redeemInvite(intent.inviteHash, now))) {
    throw new KeylaunchError('invite_invalid', 'This invite code is not valid (unknown, already used or expired).');
  }
  const user = { id: intent.userId, name: intent.userName, role: intent.role, disabled: false, createdAt: now, ...(intent.groups ? { groups: intent.groups } : {}) };
  await deps.store.createUser(user);
  const credential = { ...verified, userId: user.id, label: input.label, createdAt: now };
  await deps.store.putCredential(credential);
  ctx.facts.userId = user.id;
  ctx.facts.credentialId = credential.id;
  await announce(deps, { type: 'key.added', user: user.name, keyId: credential.id });
  return { user: { id: user.id, name: user.name, role: user.role }, key: publicKey(credential) };
}
