import { KeylaunchError } from './errors';
import type { AdminAction, AdminGrant, Credential, Invite, Role, User } from './model';
import type { Directory } from './ports';

/**
 * Administration's pure core (issue 15 §4): what an admin asked, checked against the directory as it is
 * now, becomes the exact action a touch approves; and how that action reads, in words, for the review,
 * the audit log and the CLI alike. Checked when the options are issued and again when the touch comes
 * back, so a change in between (the person enrolled, the key was revoked) refuses the stale action.
 */

/** What a request names: people by name; the verifier resolves ids. */
export type AdminRequest =
  | { kind: 'invite'; userName: string; role: Role; groups: string[]; ttlHours: number }
  | { kind: 'cancel_invite'; userName: string }
  | { kind: 'disable' | 'enable'; userName: string }
  | { kind: 'revoke_key'; userName: string; credentialId: string }
  | { kind: 'set_role'; userName: string; role: Role }
  | { kind: 'set_groups'; userName: string; groups: string[] }
  | { kind: 'approve_grant'; grantId: string };

export const isPendingInvite = (i: Invite, now: number) => i.redeemedAt === undefined && i.canceledAt === undefined && i.expiresAt > now;
export const isPendingGrant = (g: AdminGrant, now: number) => g.approvedAt === undefined && g.expiresAt > now;
/** Enabled admins: the ones whose approval counts. */
export const adminCount = (dir: Directory) => dir.people.filter((p) => p.user.role === 'admin' && !p.user.disabled).length;
/** A second admin must approve granting admin once more than one admin exists (the asker is one of them). */
export const grantNeedsSecondAdmin = (dir: Directory) => adminCount(dir) > 1;

function person(dir: Directory, userName: string): { user: User; credentials: Credential[] } {
  const found = dir.people.find((p) => p.user.name === userName);
  if (!found) throw new KeylaunchError('not_found', `No person named ${userName}.`);
  return found;
}

function notSelf(actor: User, target: User, what: string): void {
  // An admin cannot lock themselves out, or strip their own role, by a slip: another admin (or the CLI) does that.
  if (actor.id === target.id) throw new KeylaunchError('bad_request', `You cannot ${what} yourself here${what === 'revoke a key of' ? ': use Keys' : ''}.`);
}

export function planAdminAction(dir: Directory, actor: User, request: AdminRequest, now: number): AdminAction {
  switch (request.kind) {
    case 'invite': {
      if (dir.people.some((p) => p.user.name === request.userName)) throw new KeylaunchError('user_exists', `User ${request.userName} already exists.`);
      if (request.role === 'admin' && grantNeedsSecondAdmin(dir)) {
        throw new KeylaunchError('second_approval_required', 'With more than one admin, invite as operator, then grant admin: a second admin approves it.');
      }
      return { kind: 'invite', userName: request.userName, role: request.role, groups: request.groups, ttlHours: request.ttlHours };
    }
    case 'cancel_invite':
      if (!dir.invites.some((i) => i.userName === request.userName && isPendingInvite(i, now))) throw new KeylaunchError('not_found', `${request.userName} has no pending invite.`);
      return { kind: 'cancel_invite', userName: request.userName };
    case 'disable':
    case 'enable': {
      const { user } = person(dir, request.userName);
      notSelf(actor, user, request.kind);
      return { kind: request.kind, userId: user.id, userName: user.name };
    }
    case 'revoke_key': {
      const { user, credentials } = person(dir, request.userName);
      notSelf(actor, user, 'revoke a key of');
      const key = credentials.find((c) => c.id === request.credentialId && c.revokedAt === undefined);
      if (!key) throw new KeylaunchError('credential_unknown', `${user.name} has no such unrevoked key.`);
      return { kind: 'revoke_key', userId: user.id, userName: user.name, credentialId: key.id, label: key.label };
    }
    case 'set_role': {
      const { user } = person(dir, request.userName);
      notSelf(actor, user, 'change the role of');
      if (user.role === request.role) throw new KeylaunchError('bad_request', `${user.name} is already ${request.role === 'admin' ? 'an admin' : 'an operator'}.`);
      return { kind: 'set_role', userId: user.id, userName: user.name, role: request.role };
    }
    case 'set_groups': {
      const { user } = person(dir, request.userName);
      return { kind: 'set_groups', userId: user.id, userName: user.name, groups: request.groups };
    }
    case 'approve_grant': {
      const grant = dir.grants.find((g) => g.id === request.grantId && isPendingGrant(g, now));
      if (!grant) throw new KeylaunchError('not_found', 'No such pending grant (approved, expired or unknown).');
      if (grant.requestedBy === actor.id) throw new KeylaunchError('not_authorized', 'The admin who asked for this grant cannot also approve it: another admin must.');
      // The ask counts as the first admin's approval only while they still are an enabled admin.
      const asker = dir.people.find((p) => p.user.id === grant.requestedBy)?.user;
      if (!asker || asker.role !== 'admin' || asker.disabled) throw new KeylaunchError('not_found', `${grant.requestedByName}, who asked for this grant, is no longer an enabled admin.`);
      const { user } = person(dir, grant.userName);
      if (user.id !== grant.userId) throw new KeylaunchError('not_found', `${grant.userName} is no longer the person this grant was for.`);
      return { kind: 'approve_grant', grantId: grant.id, userId: user.id, userName: user.name, requestedBy: grant.requestedByName };
    }
  }
}

const role = (r: Role) => (r === 'admin' ? 'admin' : 'operator');
const groupList = (g: string[]) => (g.length ? g.join(', ') : 'none');

/** The action in words: the review's title and facts, and (as one line) the audit entry's detail. */
export function describeAdminAction(a: AdminAction): { title: string; facts: { label: string; value: string }[]; line: string } {
  switch (a.kind) {
    case 'invite':
      return {
        title: `Invite ${a.userName} as ${role(a.role)}?`,
        facts: [{ label: 'Person', value: a.userName }, { label: 'Role', value: role(a.role) }, { label: 'Groups', value: groupList(a.groups) }, { label: 'Code valid for', value: `${a.ttlHours} h` }],
        line: `invite ${a.userName} as ${role(a.role)}; groups: ${groupList(a.groups)}; valid ${a.ttlHours} h`,
      };
    case 'cancel_invite':
      return { title: `Cancel ${a.userName}’s invite?`, facts: [{ label: 'Person', value: a.userName }], line: `cancel invite of ${a.userName}` };
    case 'disable':
    case 'enable':
      return {
        title: `${a.kind === 'disable' ? 'Disable' : 'Enable'} ${a.userName}?`,
        facts: [{ label: 'Person', value: a.userName }, { label: 'Effect', value: a.kind === 'disable' ? 'refuses their unlocks and ends their sessions' : 'they can unlock again with their keys' }],
        line: `${a.kind} ${a.userName} (${a.userId})`,
      };
    case 'revoke_key':
      return {
        title: `Revoke ${a.userName}’s key “${a.label}”?`,
        facts: [{ label: 'Person', value: a.userName }, { label: 'Key', value: `${a.label} (${a.credentialId.slice(0, 12)}…)` }],
        line: `revoke key ${a.credentialId} of ${a.userName} (${a.userId})`,
      };
    case 'set_role':
      return {
        title: `Make ${a.userName} ${a.role === 'admin' ? 'an admin' : 'an operator'}?`,
        facts: [{ label: 'Person', value: a.userName }, { label: 'New role', value: role(a.role) }],
        line: `set role of ${a.userName} (${a.userId}) to ${role(a.role)}`,
      };
    case 'set_groups':
      return {
        title: `Set ${a.userName}’s groups?`,
        facts: [{ label: 'Person', value: a.userName }, { label: 'Groups', value: groupList(a.groups) }],
        line: `set groups of ${a.userName} (${a.userId}) to ${groupList(a.groups)}`,
      };
    case 'approve_grant':
      return {
        title: `Approve making ${a.userName} an admin?`,
        facts: [{ label: 'Person', value: a.userName }, { label: 'New role', value: 'admin' }, { label: 'Asked by', value: a.requestedBy }],
        line: `approve grant ${a.grantId}: ${a.userName} (${a.userId}) becomes admin, asked by ${a.requestedBy}`,
      };
  }
}
