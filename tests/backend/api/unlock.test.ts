import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, startHarness, type Harness } from '../../support/harness';
import { SoftAuthenticator } from '../../support/softAuthenticator';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('touch to unlock', () => {
  it('one touch gives a session of at most 10 minutes, bound to the user and key', async () => {
    const user = await h.enroll();
    const res = await h.unlock(user);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ name: user.name, role: 'operator' });
    expect(res.body.session.expiresAt - h.clock.now()).toBeLessThanOrEqual(600_000);
    const me = await h.api('GET', '/v1/session', undefined, res.body.session.token);
    expect(me.body.user.name).toBe(user.name);
  });

  it('unlock challenges live at most 120 s', async () => {
    const user = await h.enroll();
    const options = await h.api('POST', '/v1/unlock/options', { userName: user.name });
    expect(options.body.expiresAt - h.clock.now()).toBeLessThanOrEqual(120_000);
    const assertion = user.authenticator.assert(options.body.options);
    h.clock.advance(120_001);
    try {
      const res = await h.api('POST', '/v1/unlock/verify', { intentId: options.body.intentId, assertion });
      expect(res.body.error.code).toBe('challenge_expired');
    } finally {
      h.clock.advance(-120_001);
    }
  });

  it('an unknown user gets decoy options that look real, and no session', async () => {
    const ghost = h.newName('ghost');
    const a = await h.api('POST', '/v1/unlock/options', { userName: ghost });
    const b = await h.api('POST', '/v1/unlock/options', { userName: ghost });
    expect(a.status).toBe(200);
    expect(a.body.options.allowCredentials).toHaveLength(1);
    expect(a.body.options.allowCredentials[0].id).toBe(b.body.options.allowCredentials[0].id); // stable, like a real key
    const someone = await h.enroll();
    const forged = someone.authenticator.assert(a.body.options, { credentialId: someone.credentialId });
    const res = await h.api('POST', '/v1/unlock/verify', { intentId: a.body.intentId, assertion: forged });
    expect(res.body.error.code).toBe('credential_unknown');
  });

  it('a key registered to someone else is refused (credential_unknown)', async () => {
    const alice = await h.enroll();
    const mallory = await h.enroll();
    const options = await h.api('POST', '/v1/unlock/options', { userName: alice.name });
    const assertion = mallory.authenticator.assert(options.body.options, { credentialId: mallory.credentialId });
    const res = await h.api('POST', '/v1/unlock/verify', { intentId: options.body.intentId, assertion });
    expect(res.body.error.code).toBe('credential_unknown');
  });

  it('an unregistered key is refused (credential_unknown)', async () => {
    const alice = await h.enroll();
    const stranger = new SoftAuthenticator(ORIGIN);
    const options = await h.api('POST', '/v1/unlock/options', { userName: alice.name });
    stranger.register({ ...options.body.options, rp: { id: 'keylaunch.test', name: 'x' }, user: { id: 'x', name: 'x', displayName: 'x' }, pubKeyCredParams: [] });
    const strangerId = [...stranger.credentials.keys()][0]!;
    const res = await h.api('POST', '/v1/unlock/verify', { intentId: options.body.intentId, assertion: stranger.assert(options.body.options, { credentialId: strangerId }) });
    expect(res.body.error.code).toBe('credential_unknown');
  });

  it('counter regression suspends the key as possibly cloned, and refuses it from then on', async () => {
    const user = await h.enroll();
    expect((await h.unlock(user)).status).toBe(200); // counter 1
    const token = await h.session(user); // counter 2
    const clone = await h.unlock(user, { counter: 1 });
    expect(clone.body.error.code).toBe('counter_regression');
    const stored = await h.store.getUserWithCredentials(user.userId);
    expect(stored?.credentials[0]?.suspendedAt).toBeTypeOf('number');
    const audit = (await h.auditEntries()).find((e) => e.code === 'counter_regression' && e.userName === user.name);
    expect(audit?.detail).toContain('possible cloned key');
    // Sessions made with that key end, and it is no longer offered for unlocking.
    expect((await h.api('GET', '/v1/jobs', undefined, token)).body.error.code).toBe('credential_suspended');
    const options = await h.api('POST', '/v1/unlock/options', { userName: user.name });
    expect(options.body.options.allowCredentials.map((c: any) => c.id)).not.toContain(user.credentialId);
  });

  it('a repeated counter (equal, not greater) is a regression too', async () => {
    const user = await h.enroll();
    expect((await h.unlock(user)).status).toBe(200); // counter 1
    expect((await h.unlock(user, { counter: 1 })).body.error.code).toBe('counter_regression');
  });

  it('keys that never count (always 0) are accepted every time', async () => {
    const user = await h.enroll({ authenticator: new SoftAuthenticator(ORIGIN, { countsSignatures: false }) });
    for (let i = 0; i < 3; i++) expect((await h.unlock(user)).status).toBe(200);
  });

  it('a disabled user gets decoy options, and an existing session stops working', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    await h.store.setUserDisabled(user.userId, true);
    const jobs = await h.api('GET', '/v1/jobs', undefined, token);
    expect(jobs.body.error.code).toBe('user_disabled');
    const options = await h.api('POST', '/v1/unlock/options', { userName: user.name });
    expect(options.body.options.allowCredentials[0].id).not.toBe(user.credentialId);
    const res = await h.api('POST', '/v1/unlock/verify', { intentId: options.body.intentId, assertion: user.authenticator.assert(options.body.options, { credentialId: user.credentialId }) });
    expect(res.body.error.code).toBe('credential_unknown');
    await h.store.setUserDisabled(user.userId, false);
    expect((await h.unlock(user)).status).toBe(200);
  });
});
