import { createHmac } from 'node:crypto';
import { activeCredential, commitCounter, consumeChallenge, isActive, issueChallenge } from './approval';
import { issueSessionToken } from './session';
import { randomId } from './ids';
import { toBase64Url } from './encoding';
import { requestOptions, verifyAssertion, type AuthenticationResponseJSON, type RequestOptions } from './webauthn';
import type { RequestContext, VerifierDeps } from './deps';
import type { Role, UnlockIntent } from './model';

/** Touch to unlock: one assertion gives a short session that lists jobs and prepares runs. */

export async function startUnlock(
  deps: VerifierDeps,
  ctx: RequestContext,
  input: { userName: string },
): Promise<{ intentId: string; options: RequestOptions; expiresAt: number }> {
  const [, user] = await Promise.all([ctx.gate, deps.store.getUserByName(input.userName)]);
  const loaded = user && !user.disabled ? await deps.store.getUserWithCredentials(user.id) : undefined;
  const keys = loaded?.credentials.filter(isActive) ?? [];
  if (user) ctx.facts.userId = user.id;
  ctx.facts.userName = input.userName;
  // An unknown name, a disabled user or one without keys gets the same kind of answer as a real one
  // (a stable decoy credential id), so this route does not tell who exists.
  const allow = keys.length > 0 ? keys : [{ id: decoyCredentialId(deps, input.userName), transports: ['usb'] }];
  if (keys.length === 0) ctx.facts.detail = user ? 'no usable key (decoy options)' : 'unknown user (decoy options)';
  const now = deps.clock.now();
  const intent: UnlockIntent = {
    v: 1,
    purpose: 'unlock',
    userId: loaded?.user.id ?? '',
    allowCredentials: allow.map((k) => k.id),
    origin: deps.config.origins,
    rpId: deps.config.rpId,
    expiresAt: now + deps.config.unlockChallengeTtlSeconds * 1000,
  };
  const record = await issueChallenge(deps, intent);
  const options = await requestOptions({
    rpId: deps.config.rpId,
    challenge: record.challenge,
    allow,
    userVerification: 'discouraged',
    timeoutMs: intent.expiresAt - now,
  });
  return { intentId: record.intentId, options, expiresAt: intent.expiresAt };
}

function decoyCredentialId(deps: VerifierDeps, userName: string): string {
  const key = Buffer.from(deps.config.sessionSecret, 'base64');
  return toBase64Url(createHmac('sha256', key).update(`keylaunch/decoy/v1\0${userName}`).digest().subarray(0, 32));
}

export interface UnlockResult {
  session: { token: string; expiresAt: number };
  user: { id: string; name: string; role: Role };
}

export async function finishUnlock(
  deps: VerifierDeps,
  ctx: RequestContext,
  input: { intentId: string; assertion: AuthenticationResponseJSON },
): Promise<UnlockResult> {
  await ctx.gate;
  const record = await consumeChallenge(deps, input.intentId, 'unlock');
  const intent = record.intent as UnlockIntent;
  ctx.facts.credentialId = input.assertion.id;
  const loaded = intent.userId ? await deps.store.getUserWithCredentials(intent.userId) : undefined;
  if (loaded) {
    ctx.facts.userId = loaded.user.id;
    ctx.facts.userName = loaded.user.name;
  }
  const credential = activeCredential(loaded?.user, loaded?.credentials ?? [], input.assertion.id, intent.allowCredentials);
  const { newCounter } = await verifyAssertion({
    response: input.assertion,
    challenge: record.challenge,
    origins: deps.config.origins,
    rpId: deps.config.rpId,
    credential,
    requireUserVerification: false,
  });
  await commitCounter(deps, ctx, credential, newCounter);
  const user = loaded!.user;
  const now = deps.clock.now();
  const expiresAt = now + deps.config.sessionTtlSeconds * 1000;
  const token = issueSessionToken(Buffer.from(deps.config.sessionSecret, 'base64'), {
    sid: randomId('s_', deps.random, 12),
    uid: user.id,
    name: user.name,
    cid: credential.id,
    iat: now,
    exp: expiresAt,
  });
  return { session: { token, expiresAt }, user: { id: user.id, name: user.name, role: user.role } };
}
