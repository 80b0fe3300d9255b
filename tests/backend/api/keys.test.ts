import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, startHarness, type Harness } from '../../support/harness';
import { SoftAuthenticator } from '../../support/softAuthenticator';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function addBackup(user: Awaited<ReturnType<Harness['enroll']>>, token: string, backup = new SoftAuthenticator(ORIGIN)) {
  const options = await h.api('POST', '/v1/keys/add/options', {}, token);
  const assertion = user.authenticator.assert(options.body.approval);
  const registration = backup.register(options.body.registration);
  const res = await h.api('POST', '/v1/keys/add/verify', { intentId: options.body.intentId, assertion, registration, label: 'backup' }, token);
  return { res, backup, registration, options };
}

describe('keys: a backup key, revocation, and the last key', () => {
  it('adding a backup key takes a touch of an existing key; the backup then unlocks', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    const { res, backup, options } = await addBackup(user, token);
    expect(options.body.registration.excludeCredentials.map((c: any) => c.id)).toEqual([user.credentialId]);
    expect(res.status).toBe(200);
    expect(res.body.key.label).toBe('backup');
    const listed = await h.api('GET', '/v1/keys', undefined, token);
    expect(listed.body.keys).toHaveLength(2);
    const viaBackup = await h.unlock({ name: user.name, authenticator: backup });
    expect(viaBackup.status).toBe(200);
  });

  it('a session alone cannot add a key: the approval must be a real touch of a registered key', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    const attacker = new SoftAuthenticator(ORIGIN);
    const options = await h.api('POST', '/v1/keys/add/options', {}, token);
    const registration = attacker.register(options.body.registration);
    const attackerId = registration.id;
    // The attacker signs the approval with their own (unregistered) key.
    const res = await h.api('POST', '/v1/keys/add/verify', { intentId: options.body.intentId, assertion: attacker.assert(options.body.approval, { credentialId: attackerId }), registration, label: 'evil' }, token);
    expect(res.body.error.code).toBe('credential_unknown');
    expect((await h.store.getUserWithCredentials(user.userId))?.credentials).toHaveLength(1);
  });

  it('the registration must answer this approval’s registration challenge', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    const first = await h.api('POST', '/v1/keys/add/options', {}, token);
    const second = await h.api('POST', '/v1/keys/add/options', {}, token);
    const res = await h.api('POST', '/v1/keys/add/verify', {
      intentId: second.body.intentId,
      assertion: user.authenticator.assert(second.body.approval),
      registration: new SoftAuthenticator(ORIGIN).register(first.body.registration),
      label: 'mixed',
    }, token);
    expect(res.body.error.code).toBe('verification_failed');
  });

  it('revoking takes a touch; a revoked key no longer unlocks and its sessions end', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    const { backup, registration } = await addBackup(user, token);
    const backupToken = await h.session({ name: user.name, authenticator: backup });
    const options = await h.api('POST', '/v1/keys/revoke/options', { credentialId: registration.id }, token);
    expect(options.body.fingerprint).toMatch(/^.{4}-.{4}$/);
    const res = await h.api('POST', '/v1/keys/revoke/verify', { intentId: options.body.intentId, assertion: user.authenticator.assert(options.body.approval) }, token);
    expect(res.status).toBe(200);
    expect(res.body.key.revokedAt).toBeTypeOf('number');
    expect((await h.api('GET', '/v1/keys', undefined, backupToken)).body.error.code).toBe('credential_revoked');
    const unlockOptions = await h.api('POST', '/v1/unlock/options', { userName: user.name });
    expect(unlockOptions.body.options.allowCredentials.map((c: any) => c.id)).toEqual([user.credentialId]);
    const audit = (await h.auditEntries()).find((e) => e.action === 'key.revoke.verify' && e.userName === user.name);
    expect(audit).toMatchObject({ outcome: 'accepted', detail: `revoked key ${registration.id}` });
  });

  it('the last usable key is not revoked by accident; with allowLastKey it is', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    const refused = await h.api('POST', '/v1/keys/revoke/options', { credentialId: user.credentialId }, token);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('last_key');
    const options = await h.api('POST', '/v1/keys/revoke/options', { credentialId: user.credentialId, allowLastKey: true }, token);
    const res = await h.api('POST', '/v1/keys/revoke/verify', { intentId: options.body.intentId, assertion: user.authenticator.assert(options.body.approval) }, token);
    expect(res.status).toBe(200);
    const unlockOptions = await h.api('POST', '/v1/unlock/options', { userName: user.name });
    expect(unlockOptions.body.options.allowCredentials.map((c: any) => c.id)).not.toContain(user.credentialId);
  });

  it('revoking a key that is not yours is refused', async () => {
    const alice = await h.enroll();
    const bob = await h.enroll();
    const token = await h.session(alice);
    const res = await h.api('POST', '/v1/keys/revoke/options', { credentialId: bob.credentialId, allowLastKey: true }, token);
    expect(res.body.error.code).toBe('credential_unknown');
  });
});
