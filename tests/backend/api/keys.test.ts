import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, startHarness, type Harness } from '../../support/harness';
import { SoftAuthenticator } from '../../support/softAuthenticator';
import { GetCommand, UpdateCommand } from '../../../backend/adapters/dynamo/documentCommands';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function addBackup(user: Awaited<ReturnType<Harness['enroll']>>, token: string, backup = new SoftAuthenticator(ORIGIN)) {
  const options = await h.api('POST', '/v1/keys/add/options', {}, token);
  const registration = backup.register(options.body.registration);
  const approval = await h.api('POST', '/v1/keys/add/approval', { intentId: options.body.intentId, registration, label: 'backup' }, token);
  const assertion = user.authenticator.assert(approval.body.approval);
  const res = await h.api('POST', '/v1/keys/add/verify', { intentId: approval.body.intentId, assertion }, token);
  return { res, backup, registration, options, approval };
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
    const approval = await h.api('POST', '/v1/keys/add/approval', { intentId: options.body.intentId, registration, label: 'evil' }, token);
    // The attacker signs the approval with their own (unregistered) key.
    const res = await h.api('POST', '/v1/keys/add/verify', { intentId: approval.body.intentId, assertion: attacker.assert(approval.body.approval, { credentialId: registration.id }) }, token);
    expect(res.body.error.code).toBe('credential_unknown');
    expect((await h.store.getUserWithCredentials(user.userId))?.credentials).toHaveLength(1);
  });

  it('the touch approves exactly the registered key: its id and public-key hash are in the signed intent', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    const backup = new SoftAuthenticator(ORIGIN);
    const options = await h.api('POST', '/v1/keys/add/options', {}, token);
    const registration = backup.register(options.body.registration);
    const approval = await h.api('POST', '/v1/keys/add/approval', { intentId: options.body.intentId, registration, label: 'backup' }, token);
    expect(approval.body.key).toMatchObject({ id: registration.id, label: 'backup' });
    expect(approval.body.key.publicKeySha256).toMatch(/^[0-9a-f]{64}$/);
    const record = JSON.parse(String((await h.documents.send(new GetCommand({ TableName: 'kl-test', Key: { pk: `CHALLENGE#${approval.body.intentId}`, sk: 'CHALLENGE' } }))).Item?.record));
    expect(record.intent.newKey).toEqual({ credentialId: registration.id, publicKeySha256: approval.body.key.publicKeySha256, label: 'backup' });
    expect(approval.body.fingerprint).toMatch(/^.{4}-.{4}$/);
  });

  it('a swapped key is refused: an attacker’s key put in place of the approved one is never stored', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    const options = await h.api('POST', '/v1/keys/add/options', {}, token);
    const registration = new SoftAuthenticator(ORIGIN).register(options.body.registration);
    const approval = await h.api('POST', '/v1/keys/add/approval', { intentId: options.body.intentId, registration, label: 'backup' }, token);
    // What a compromised renderer (or anyone between approval and touch) would do: put its own key into the pending record.
    const Key = { pk: `CHALLENGE#${approval.body.intentId}`, sk: 'CHALLENGE' };
    const stored = JSON.parse(String((await h.documents.send(new GetCommand({ TableName: 'kl-test', Key }))).Item?.record));
    const attackerOptions = await h.api('POST', '/v1/keys/add/options', {}, token);
    const attackerRegistration = new SoftAuthenticator(ORIGIN).register(attackerOptions.body.registration);
    const attackerApproval = await h.api('POST', '/v1/keys/add/approval', { intentId: attackerOptions.body.intentId, registration: attackerRegistration, label: 'evil' }, token);
    const attackerRecord = JSON.parse(String((await h.documents.send(new GetCommand({ TableName: 'kl-test', Key: { pk: `CHALLENGE#${attackerApproval.body.intentId}`, sk: 'CHALLENGE' } }))).Item?.record));
    stored.pendingCredential = attackerRecord.pendingCredential;
    await h.documents.send(new UpdateCommand({ TableName: 'kl-test', Key, UpdateExpression: 'SET #r = :r', ExpressionAttributeNames: { '#r': 'record' }, ExpressionAttributeValues: { ':r': JSON.stringify(stored) } }));
    const res = await h.api('POST', '/v1/keys/add/verify', { intentId: approval.body.intentId, assertion: user.authenticator.assert(approval.body.approval) }, token);
    expect(res.body.error.code).toBe('verification_failed');
    const ids = (await h.store.getUserWithCredentials(user.userId))!.credentials.map((c) => c.id);
    expect(ids).toEqual([user.credentialId]);
    // The approval for the attacker's own intent, answered by the person's touch of another intent, is refused too.
    const crossed = await h.api('POST', '/v1/keys/add/verify', { intentId: attackerApproval.body.intentId, assertion: user.authenticator.assert(approval.body.approval) }, token);
    expect(crossed.body.error.code).toBe('verification_failed');
  });

  it('the registration must answer its own registration challenge, and is used once', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    const first = await h.api('POST', '/v1/keys/add/options', {}, token);
    const second = await h.api('POST', '/v1/keys/add/options', {}, token);
    const mixed = await h.api('POST', '/v1/keys/add/approval', { intentId: second.body.intentId, registration: new SoftAuthenticator(ORIGIN).register(first.body.registration), label: 'mixed' }, token);
    expect(mixed.body.error.code).toBe('verification_failed');
    const registration = new SoftAuthenticator(ORIGIN).register(first.body.registration);
    expect((await h.api('POST', '/v1/keys/add/approval', { intentId: first.body.intentId, registration, label: 'a' }, token)).status).toBe(200);
    expect((await h.api('POST', '/v1/keys/add/approval', { intentId: first.body.intentId, registration, label: 'a' }, token)).body.error.code).toBe('challenge_used');
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
