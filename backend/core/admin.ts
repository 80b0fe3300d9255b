import { KeylaunchError } from './errors';
import { adminNotice, announce } from './notification';
import { activeCredential, commitCounter, consumeChallenge, isActive, issueChallenge } from './approval';
import { describeAdminAction, grantNeedsSecondAdmin, isPendingGrant, isPendingInvite, planAdminAction, type AdminRequest } from './adminActions';
import { createInvite, type CreatedInvite } from './invites';
import { fingerprint } from './intent';
import { randomId } from './ids';
import { loadSession, requireAdmin, type ActiveSession } from './sessionGuard';
import { requestOptions, verifyAssertion, type AuthenticationResponseJSON, type RequestOptions } from './webauthn';
import { publicKey, type PublicKey } from './views';
import type { RequestContext, VerifierDeps } from './deps';
import type { Directory } from './ports';
import type { AdminAction, AdminGrant, AdminIntent, Role } from './model';

/**
 * Administration from the app (issue 15 §4): every change is an `admin` intent, approved by the acting
 * admin's own touch, and audited by the request handler with that admin as the actor (facts.detail says
 * what). Only admins, checked when the options are issued and again when the touch comes back.
 */

export interface AdminPerson {
  id: string;
  name: string;
  role: Role;
  disabled: boolean;
  groups: string[];
  createdAt: number;
  keys: PublicKey[];
}
export interface PendingInvite {
  userName: string;
  role: Role;
  groups: string[];
  createdAt: number;
  createdBy: string;
  expiresAt: number;
}

async function adminSession(deps: VerifierDeps, ctx: RequestContext): Promise<ActiveSession> {
  const [, session] = await Promise.all([ctx.gate, loadSession(deps, ctx)]);
  requireAdmin(session);
  return session;
}

export async function listPeople(deps: VerifierDeps, ctx: RequestContext): Promise<{ people: AdminPerson[]; invites: PendingInvite[]; grants: AdminGrant[] }> {
  await adminSession(deps, ctx);
  const dir = await deps.store.readDirectory();
  const now = deps.clock.now();
  return {
    people: dir.people
      .map(({ user, credentials }) => ({ id: user.id, name: user.name, role: user.role, disabled: user.disabled, groups: user.groups ?? [], createdAt: user.createdAt, keys: credentials.map(publicKey) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    // The code's hash stays inside: it is what enrolls.
    invites: dir.invites
      .filter((i) => isPendingInvite(i, now))
      .map((i) => ({ userName: i.userName, role: i.role, groups: i.groups ?? [], createdAt: i.createdAt, createdBy: i.createdBy, expiresAt: i.expiresAt }))
      .sort((a, b) => a.userName.localeCompare(b.userName) || a.createdAt - b.createdAt),
    grants: dir.grants.filter((g) => isPendingGrant(g, now)),
  };
}

export interface AdminOptions {
  intentId: string;
  options: RequestOptions;
  fingerprint: string;
  expiresAt: number;
  /** The exact action the touch approves (ids resolved), and how it reads. */
  action: AdminAction;
  review: { title: string; facts: { label: string; value: string }[] };
}

export async function startAdminAction(deps: VerifierDeps, ctx: RequestContext, request: AdminRequest): Promise<AdminOptions> {
  const session = await adminSession(deps, ctx);
  const action = planAdminAction(await deps.store.readDirectory(), session.user, request, deps.clock.now());
  const intent: AdminIntent = {
    v: 1,
    purpose: 'admin',
    userId: session.user.id,
    allowCredentials: session.credentials.filter(isActive).map((c) => c.id),
    origin: deps.config.origins,
    rpId: deps.config.rpId,
    expiresAt: deps.clock.now() + deps.config.runChallengeTtlSeconds * 1000,
    action,
  };
  const record = await issueChallenge(deps, intent);
  const options = await requestOptions({
    rpId: deps.config.rpId,
    challenge: record.challenge,
    allow: session.credentials.filter((c) => intent.allowCredentials.includes(c.id)),
    userVerification: 'discouraged',
    timeoutMs: intent.expiresAt - deps.clock.now(),
  });
  const fp = fingerprint(intent, record.intentHash);
  const { title, facts, line } = describeAdminAction(action);
  ctx.facts.fingerprint = fp;
  ctx.facts.detail = line;
  return { intentId: record.intentId, options, fingerprint: fp, expiresAt: intent.expiresAt, action, review: { title, facts } };
}

export type AdminResult =
  | { kind: 'invite'; invite: CreatedInvite }
  | { kind: 'cancel_invite'; canceled: number }
  | { kind: 'grant_pending'; grant: AdminGrant }
  | { kind: 'person'; person: { id: string; name: string; role: Role; disabled: boolean; groups: string[] } }
  | { kind: 'key'; key: PublicKey };

export async function finishAdminAction(deps: VerifierDeps, ctx: RequestContext, input: { intentId: string; assertion: AuthenticationResponseJSON }): Promise<AdminResult> {
  const [, session, record] = await Promise.all([ctx.gate, loadSession(deps, ctx), consumeChallenge(deps, input.intentId, 'admin')]);
  const intent = record.intent as AdminIntent;
  ctx.facts.fingerprint = fingerprint(intent, record.intentHash);
  ctx.facts.detail = describeAdminAction(intent.action).line;
  if (intent.userId !== session.user.id) throw new KeylaunchError('not_authorized', 'This approval belongs to another admin.');
  requireAdmin(session); // still an admin now, not only when the options were issued
  const approver = activeCredential(session.user, session.credentials, input.assertion.id, intent.allowCredentials);
  const { newCounter } = await verifyAssertion({
    response: input.assertion,
    challenge: record.challenge,
    origins: deps.config.origins,
    rpId: deps.config.rpId,
    credential: approver,
    requireUserVerification: false,
  });
  await commitCounter(deps, ctx, approver, newCounter);
  const now = deps.clock.now();
  const dir = await deps.store.readDirectory();
  // The world may have changed since the options: the approved action must still be the one planned now.
  const again = planAdminAction(dir, session.user, requestOf(intent.action), now);
  if (JSON.stringify(again) !== JSON.stringify(intent.action)) throw new KeylaunchError('bad_request', 'This changed since you asked (a person, key or grant is not what it was); start again.');
  const result = await apply(deps, session, intent.action, dir, now);
  await announce(deps, adminNotice(intent.action, session.user.name));
  return result;
}

/** The request an action was planned from, to plan it again against the directory of now. */
function requestOf(a: AdminAction): AdminRequest {
  switch (a.kind) {
    case 'approve_grant':
      return { kind: 'approve_grant', grantId: a.grantId };
    case 'revoke_key':
      return { kind: 'revoke_key', userName: a.userName, credentialId: a.credentialId };
    case 'invite':
    case 'cancel_invite':
      return a;
    default: {
      const { userId: _id, ...rest } = a;
      return rest as AdminRequest;
    }
  }
}

async function apply(deps: VerifierDeps, session: ActiveSession, a: AdminAction, dir: Directory, now: number): Promise<AdminResult> {
  const person = async (userId: string): Promise<AdminResult> => {
    const u = (await deps.store.getUserWithCredentials(userId))!.user;
    return { kind: 'person', person: { id: u.id, name: u.name, role: u.role, disabled: u.disabled, groups: u.groups ?? [] } };
  };
  switch (a.kind) {
    case 'invite':
      return { kind: 'invite', invite: await createInvite(deps, { userName: a.userName, role: a.role, groups: a.groups, ttlHours: a.ttlHours, createdBy: session.user.name }) };
    case 'cancel_invite': {
      const pending = dir.invites.filter((i) => i.userName === a.userName && isPendingInvite(i, now));
      const done = await Promise.all(pending.map((i) => deps.store.cancelInvite(i.codeHash, now)));
      return { kind: 'cancel_invite', canceled: done.filter(Boolean).length };
    }
    case 'disable':
    case 'enable':
      await deps.store.setUserDisabled(a.userId, a.kind === 'disable');
      return person(a.userId);
    case 'revoke_key': {
      const revokedAt = now;
      await deps.store.setCredentialState(a.userId, a.credentialId, { revokedAt });
      const key = (await deps.store.getUserWithCredentials(a.userId))!.credentials.find((c) => c.id === a.credentialId)!;
      return { kind: 'key', key: publicKey(key) };
    }
    case 'set_role':
      if (a.role === 'admin' && grantNeedsSecondAdmin(dir)) {
        const grant: AdminGrant = {
          id: randomId('grant_', deps.random, 12),
          userId: a.userId,
          userName: a.userName,
          role: 'admin',
          requestedBy: session.user.id,
          requestedByName: session.user.name,
          createdAt: now,
          expiresAt: now + 86_400_000,
        };
        await deps.store.putAdminGrant(grant);
        return { kind: 'grant_pending', grant };
      }
      await deps.store.setUserRole(a.userId, a.role);
      return person(a.userId);
    case 'set_groups':
      await deps.store.setUserGroups(a.userId, a.groups);
      return person(a.userId);
    case 'approve_grant':
      if (!(await deps.store.approveAdminGrant(a.grantId, session.user.id, now))) throw new KeylaunchError('not_found', 'This grant was approved, expired or withdrawn meanwhile.');
      await deps.store.setUserRole(a.userId, 'admin');
      return person(a.userId);
  }
}
