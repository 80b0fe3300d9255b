import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, startHarness, type Harness } from '../../support/harness';
import { SoftAuthenticator } from '../../support/softAuthenticator';

/**
 * Issue 15 §4: administration from the app. Every change is an `admin` intent approved by the acting
 * admin's own touch, and audited with that admin as the actor. Real verifier over HTTP, dynalite, real
 * WebAuthn payloads.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

type Person = Awaited<ReturnType<Harness['enroll']>>;

/** Options for an action, then the admin's touch over exactly them. */
async function act(admin: Person, token: string, action: Record<string, unknown>) {
  const options = await h.api('POST', '/v1/admin/options', { action }, token);
  if (options.status !== 200) return { options, res: options };
  const res = await h.api('POST', '/v1/admin/verify', { intentId: options.body.intentId, assertion: admin.authenticator.assert(options.body.options) }, token);
  return { options, res };
}

/** Enrolls with a code, as the colleague's desktop does. */
async function enrollWith(code: string, authenticator = new SoftAuthenticator(ORIGIN)) {
  const options = await h.api('POST', '/v1/enroll/options', { inviteCode: code });
  if (options.status !== 200) return { res: options, authenticator };
  const registration = authenticator.register(options.body.options);
  return { res: await h.api('POST', '/v1/enroll/verify', { intentId: options.body.intentId, registration, label: 'primary' }), authenticator };
}

const latestAudit = async (action: string) => (await h.auditEntries(200)).find((e) => e.action === action);

describe('admin actions with a touch', () => {
  it('an admin invites a colleague with groups: the code comes once in the answer, enrolls them with those groups, and is audited', async () => {
    const admin = await h.enroll({ role: 'admin' });
    const token = await h.session(admin);
    const name = h.newName('colleague');
    const { options, res } = await act(admin, token, { kind: 'invite', userName: name, role: 'operator', groups: ['sre', 'db'] });
    expect(options.body.review.title).toBe(`Invite ${name} as operator?`);
    expect(options.body.action).toEqual({ kind: 'invite', userName: name, role: 'operator', groups: ['db', 'sre'], ttlHours: 24 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'invite', invite: { userName: name, role: 'operator', groups: ['db', 'sre'] } });
    const code: string = res.body.invite.code;
    expect(code).toMatch(/^KL-/);
    expect(await latestAudit('admin.verify')).toMatchObject({ outcome: 'accepted', userName: admin.name, fingerprint: options.body.fingerprint, detail: `invite ${name} as operator; groups: db, sre; valid 24 h` });
    // The code appears nowhere else: not in the people listing, not in the audit log.
    const people = await h.api('GET', '/v1/admin/people', undefined, token);
    expect(people.body.invites.find((i: { userName: string }) => i.userName === name)).toMatchObject({ role: 'operator', groups: ['db', 'sre'], createdBy: admin.name });
    expect(JSON.stringify(people.body)).not.toContain(code.slice(3));
    expect(JSON.stringify(await h.auditEntries(200))).not.toContain(code.slice(3));

    const enrolled = await enrollWith(code);
    expect(enrolled.res.status).toBe(200);
    const user = await h.store.getUserByName(name);
    expect(user).toMatchObject({ role: 'operator', groups: ['db', 'sre'] });
    const after = await h.api('GET', '/v1/admin/people', undefined, token);
    expect(after.body.people.find((p: { name: string }) => p.name === name)).toMatchObject({ groups: ['db', 'sre'], keys: [{ label: 'primary' }] });
    expect(after.body.invites.map((i: { userName: string }) => i.userName)).not.toContain(name);
  });

  it('without a touch: no assertion, an assertion without user presence, or another key’s → refused, nothing done', async () => {
    const admin = await h.enroll({ role: 'admin' });
    const token = await h.session(admin);
    const name = h.newName('nobody');
    const options = await h.api('POST', '/v1/admin/options', { action: { kind: 'invite', userName: name } }, token);
    expect((await h.api('POST', '/v1/admin/verify', { intentId: options.body.intentId }, token)).body.error.code).toBe('bad_request');
    const noPresence = await h.api('POST', '/v1/admin/verify', { intentId: options.body.intentId, assertion: admin.authenticator.assert(options.body.options, { up: false }) }, token);
    expect(noPresence.status).toBe(401);
    const again = await h.api('POST', '/v1/admin/options', { action: { kind: 'invite', userName: name } }, token);
    const stranger = await h.enroll(); // someone else's registered key
    const foreign = await h.api('POST', '/v1/admin/verify', { intentId: again.body.intentId, assertion: stranger.authenticator.assert(again.body.options, { credentialId: stranger.credentialId }) }, token);
    expect(foreign.body.error.code).toBe('credential_unknown');
    const pending = (await h.api('GET', '/v1/admin/people', undefined, token)).body.invites.map((i: { userName: string }) => i.userName);
    expect(pending).not.toContain(name);
    expect(await latestAudit('admin.verify')).toMatchObject({ outcome: 'refused', code: 'credential_unknown', userName: admin.name });
  });

  it('by a non-admin → not_authorized at options, at verify and for the listing; each refusal audited with the actor', async () => {
    const admin = await h.enroll({ role: 'admin' });
    const operator = await h.enroll();
    const adminToken = await h.session(admin);
    const token = await h.session(operator);
    const name = h.newName('x');
    const refused = await h.api('POST', '/v1/admin/options', { action: { kind: 'invite', userName: name, role: 'admin' } }, token);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('not_authorized');
    expect(await latestAudit('admin.options')).toMatchObject({ outcome: 'refused', code: 'not_authorized', userName: operator.name });
    expect((await h.api('GET', '/v1/admin/people', undefined, token)).body.error.code).toBe('not_authorized');
    // An admin's intent, sent with the operator's session and the operator's touch: refused.
    const adminOptions = await h.api('POST', '/v1/admin/options', { action: { kind: 'invite', userName: name } }, adminToken);
    const crossed = await h.api('POST', '/v1/admin/verify', { intentId: adminOptions.body.intentId, assertion: operator.authenticator.assert(adminOptions.body.options, { credentialId: operator.credentialId }) }, token);
    expect(crossed.body.error.code).toBe('not_authorized');
  });

  it('an admin demoted between options and touch is refused at verify', async () => {
    const admin = await h.enroll({ role: 'admin' });
    const token = await h.session(admin);
    const options = await h.api('POST', '/v1/admin/options', { action: { kind: 'invite', userName: h.newName('late') } }, token);
    await h.store.setUserRole(admin.userId, 'operator');
    const res = await h.api('POST', '/v1/admin/verify', { intentId: options.body.intentId, assertion: admin.authenticator.assert(options.body.options) }, token);
    expect(res.body.error.code).toBe('not_authorized');
  });

  it('replayed → challenge_used; a touch for another intent → verification_failed; another purpose’s intent → challenge_unknown', async () => {
    const admin = await h.enroll({ role: 'admin' });
    const target = await h.enroll();
    const token = await h.session(admin);
    const first = await act(admin, token, { kind: 'disable', userName: target.name });
    expect(first.res.body).toMatchObject({ kind: 'person', person: { name: target.name, disabled: true } });
    const replay = await h.api('POST', '/v1/admin/verify', { intentId: first.options.body.intentId, assertion: admin.authenticator.assert(first.options.body.options) }, token);
    expect(replay.body.error.code).toBe('challenge_used');

    const a = await h.api('POST', '/v1/admin/options', { action: { kind: 'enable', userName: target.name } }, token);
    const b = await h.api('POST', '/v1/admin/options', { action: { kind: 'set_groups', userName: target.name, groups: ['ops'] } }, token);
    const swapped = await h.api('POST', '/v1/admin/verify', { intentId: b.body.intentId, assertion: admin.authenticator.assert(a.body.options) }, token);
    expect(swapped.body.error.code).toBe('verification_failed');
    expect((await h.store.getUserByName(target.name))?.groups).toBeUndefined();

    const run = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'x' } }, token);
    const otherPurpose = await h.api('POST', '/v1/admin/verify', { intentId: run.body.intentId, assertion: admin.authenticator.assert(run.body.options) }, token);
    expect(otherPurpose.body.error.code).toBe('challenge_unknown');
  });

  it('the challenge is domain-separated: an admin intent signs SHA-256("keylaunch/admin/v1" ‖ 0 ‖ nonce ‖ intent hash)', async () => {
    const { deriveChallenge, intentHash } = await import('../../../backend/core/intent');
    const { createHash } = await import('node:crypto');
    const intent = { v: 1 as const, purpose: 'admin' as const, origin: [ORIGIN], rpId: 'keylaunch.test', expiresAt: 1, userId: 'u', allowCredentials: [], action: { kind: 'cancel_invite' as const, userName: 'a' } };
    const nonce = Buffer.alloc(32, 7);
    const under = (domain: string) => createHash('sha256').update(domain).update(Buffer.from([0])).update(nonce).update(intentHash(intent)).digest('base64url');
    expect(deriveChallenge(intent, nonce)).toBe(under('keylaunch/admin/v1'));
    expect(deriveChallenge(intent, nonce)).not.toBe(under('keylaunch/run/v1'));
  });

  it('disable ends the person’s sessions, enable restores unlocking; revoking someone else’s key stops it unlocking', async () => {
    const admin = await h.enroll({ role: 'admin' });
    const target = await h.enroll();
    const token = await h.session(admin);
    const targetToken = await h.session(target);
    await act(admin, token, { kind: 'disable', userName: target.name });
    expect((await h.api('GET', '/v1/keys', undefined, targetToken)).body.error.code).toBe('user_disabled');
    await act(admin, token, { kind: 'enable', userName: target.name });
    expect((await h.unlock(target)).status).toBe(200);
    const { res } = await act(admin, token, { kind: 'revoke_key', userName: target.name, credentialId: target.credentialId });
    expect(res.body).toMatchObject({ kind: 'key', key: { id: target.credentialId } });
    expect(res.body.key.revokedAt).toBeTypeOf('number');
    const unlockOptions = await h.api('POST', '/v1/unlock/options', { userName: target.name });
    expect(unlockOptions.body.options.allowCredentials.map((c: { id: string }) => c.id)).not.toContain(target.credentialId);
    expect(await latestAudit('admin.verify')).toMatchObject({ outcome: 'accepted', userName: admin.name, detail: `revoke key ${target.credentialId} of ${target.name} (${target.userId})` });
  });

  it('an admin cannot disable, demote or revoke a key of themselves here (no lock-out by a slip)', async () => {
    const admin = await h.enroll({ role: 'admin' });
    const token = await h.session(admin);
    for (const action of [{ kind: 'disable', userName: admin.name }, { kind: 'set_role', userName: admin.name, role: 'operator' }, { kind: 'revoke_key', userName: admin.name, credentialId: admin.credentialId }]) {
      expect((await h.api('POST', '/v1/admin/options', { action }, token)).body.error.code).toBe('bad_request');
    }
  });

  it('groups are validated names; set_groups replaces them; cancel_invite ends a code', async () => {
    const admin = await h.enroll({ role: 'admin' });
    const target = await h.enroll();
    const token = await h.session(admin);
    for (const groups of [['SRE'], ['a b'], ['x', 'x'], Array.from({ length: 21 }, (_, i) => `g${i}`), ['-x'], [''], 'sre']) {
      const res = await h.api('POST', '/v1/admin/options', { action: { kind: 'set_groups', userName: target.name, groups } }, token);
      expect(res.status, JSON.stringify(groups)).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    }
    const { res } = await act(admin, token, { kind: 'set_groups', userName: target.name, groups: ['security', 'sre'] });
    expect(res.body.person.groups).toEqual(['security', 'sre']);
    expect((await h.store.getUserByName(target.name))?.groups).toEqual(['security', 'sre']);

    const name = h.newName('cancel');
    const invited = await act(admin, token, { kind: 'invite', userName: name });
    const canceled = await act(admin, token, { kind: 'cancel_invite', userName: name });
    expect(canceled.res.body).toEqual({ kind: 'cancel_invite', canceled: 1 });
    expect((await enrollWith(invited.res.body.invite.code)).res.body.error.code).toBe('invite_invalid');
    expect((await h.api('POST', '/v1/admin/options', { action: { kind: 'cancel_invite', userName: name } }, token)).body.error.code).toBe('not_found');
  });

  it('a change between options and touch refuses the stale action (the invitee enrolled meanwhile)', async () => {
    const admin = await h.enroll({ role: 'admin' });
    const token = await h.session(admin);
    const name = h.newName('race');
    const options = await h.api('POST', '/v1/admin/options', { action: { kind: 'invite', userName: name } }, token);
    await h.enroll({ name });
    const res = await h.api('POST', '/v1/admin/verify', { intentId: options.body.intentId, assertion: admin.authenticator.assert(options.body.options) }, token);
    expect(res.body.error.code).toBe('user_exists');
  });
});

describe('granting admin: a second admin approves when more than one exists', () => {
  it('one admin alone grants directly; with two, a grant waits for the other admin’s touch, and the asker cannot approve it', async () => {
    const g = await startHarness();
    const local = h;
    h = g;
    try {
      const first = await h.enroll({ role: 'admin' });
      const second = await h.enroll();
      const third = await h.enroll();
      const firstToken = await h.session(first);
      // Alone, the only admin makes a second one with their own touch.
      const direct = await act(first, firstToken, { kind: 'set_role', userName: second.name, role: 'admin' });
      expect(direct.res.body).toMatchObject({ kind: 'person', person: { name: second.name, role: 'admin' } });

      // Now two admins: inviting an admin is refused, granting admin waits for the other admin.
      expect((await h.api('POST', '/v1/admin/options', { action: { kind: 'invite', userName: h.newName('boss'), role: 'admin' } }, firstToken)).body.error.code).toBe('second_approval_required');
      const asked = await act(first, firstToken, { kind: 'set_role', userName: third.name, role: 'admin' });
      expect(asked.res.body).toMatchObject({ kind: 'grant_pending', grant: { userName: third.name, requestedByName: first.name } });
      expect((await h.store.getUserByName(third.name))?.role).toBe('operator');
      const grantId: string = asked.res.body.grant.id;

      // The asker cannot approve their own grant (not twice by one admin).
      const self = await h.api('POST', '/v1/admin/options', { action: { kind: 'approve_grant', grantId } }, firstToken);
      expect(self.body.error.code).toBe('not_authorized');
      // An operator cannot approve it either.
      const thirdToken = await h.session(third);
      expect((await h.api('POST', '/v1/admin/options', { action: { kind: 'approve_grant', grantId } }, thirdToken)).body.error.code).toBe('not_authorized');

      const secondToken = await h.session(second);
      const listed = await h.api('GET', '/v1/admin/people', undefined, secondToken);
      expect(listed.body.grants.map((x: { id: string }) => x.id)).toContain(grantId);
      const approved = await act(second, secondToken, { kind: 'approve_grant', grantId });
      expect(approved.options.body.review.facts).toContainEqual({ label: 'Asked by', value: first.name });
      expect(approved.res.body).toMatchObject({ kind: 'person', person: { name: third.name, role: 'admin' } });
      expect((await h.store.getUserByName(third.name))?.role).toBe('admin');
      // Once approved it is gone: approving again finds nothing.
      expect((await h.api('POST', '/v1/admin/options', { action: { kind: 'approve_grant', grantId } }, secondToken)).body.error.code).toBe('not_found');
      // A grant whose asker is no longer an enabled admin is void.
      const fourth = await h.enroll();
      const voided = await act(first, firstToken, { kind: 'set_role', userName: fourth.name, role: 'admin' });
      await h.store.setUserDisabled(first.userId, true);
      expect((await h.api('POST', '/v1/admin/options', { action: { kind: 'approve_grant', grantId: voided.res.body.grant.id } }, secondToken)).body.error.code).toBe('not_found');
      await h.store.setUserDisabled(first.userId, false);
      // The store's own rule holds even past the core: the asker's approval is refused atomically.
      const again = await act(first, firstToken, { kind: 'set_role', userName: (await h.enroll()).name, role: 'admin' });
      expect(await h.store.approveAdminGrant(again.res.body.grant.id, first.userId, h.clock.now())).toBe(false);
      expect(await h.store.approveAdminGrant(again.res.body.grant.id, second.userId, h.clock.now())).toBe(true);
      expect(await h.store.approveAdminGrant(again.res.body.grant.id, third.userId, h.clock.now())).toBe(false);
    } finally {
      h = local;
      await g.close();
    }
  });
});

describe('a storage failure during an admin action', () => {
  it('answers storage_unavailable (never a stack) and is audited as failed with the acting admin', async () => {
    let failing = false;
    const g = await startHarness({
      store: (s) => ({
        ...s,
        readDirectory: async () => {
          if (failing) throw Object.assign(new Error('ProvisionedThroughputExceededException'), { $metadata: {} });
          return s.readDirectory();
        },
      }),
    });
    try {
      const local = h;
      h = g;
      try {
        const admin = await h.enroll({ role: 'admin' });
        const token = await h.session(admin);
        failing = true;
        const res = await h.api('GET', '/v1/admin/people', undefined, token);
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('storage_unavailable');
        expect(JSON.stringify(res.body)).not.toMatch(/Provisioned|at .*\.ts/);
        expect((await h.auditEntries(5)).find((e) => e.action === 'admin.people')).toMatchObject({ outcome: 'failed', code: 'storage_unavailable', userName: admin.name });
      } finally {
        h = local;
      }
    } finally {
      await g.close();
    }
  });
});
