import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, startHarness, type Harness } from '../../support/harness';
import { SoftAuthenticator } from '../../support/softAuthenticator';
import { inviteCodeHash } from '../../../backend/core/invites';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('enrollment through one-time invites', () => {
  it('an invite enrolls one key; the code is stored only as a hash and cannot be reused', async () => {
    const name = h.newName();
    const { code } = await h.invite(name, 'admin');
    const stored = await h.store.getInvite(inviteCodeHash(code));
    expect(JSON.stringify(stored)).not.toContain(code.replace(/-/g, '').slice(3));
    // Codes are typed by people: case and dashes do not matter.
    const options = await h.api('POST', '/v1/enroll/options', { inviteCode: code.toLowerCase().replace(/-/g, ' ') });
    expect(options.status).toBe(200);
    expect(options.body.user).toEqual({ name, role: 'admin' });
    const key = new SoftAuthenticator(ORIGIN);
    const done = await h.api('POST', '/v1/enroll/verify', { intentId: options.body.intentId, registration: key.register(options.body.options), label: 'YubiKey 5C' });
    expect(done.status).toBe(200);
    expect(done.body.key).toMatchObject({ label: 'YubiKey 5C', transports: ['usb'] });
    expect(done.body.key.publicKey).toBeUndefined();

    const reuse = await h.api('POST', '/v1/enroll/options', { inviteCode: code });
    expect(reuse.status).toBe(403);
    expect(reuse.body.error.code).toBe('invite_invalid');
  });

  it('two enrollments racing on one invite: exactly one user is created', async () => {
    const name = h.newName();
    const { code } = await h.invite(name);
    const [a, b] = await Promise.all([h.api('POST', '/v1/enroll/options', { inviteCode: code }), h.api('POST', '/v1/enroll/options', { inviteCode: code })]);
    const ka = new SoftAuthenticator(ORIGIN);
    const kb = new SoftAuthenticator(ORIGIN);
    const results = await Promise.all([
      h.api('POST', '/v1/enroll/verify', { intentId: a.body.intentId, registration: ka.register(a.body.options), label: 'a' }),
      h.api('POST', '/v1/enroll/verify', { intentId: b.body.intentId, registration: kb.register(b.body.options), label: 'b' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 403]);
    expect(results.find((r) => r.status === 403)?.body.error.code).toBe('invite_invalid');
    const user = await h.store.getUserByName(name);
    expect((await h.store.getUserWithCredentials(user!.id))?.credentials).toHaveLength(1);
  });

  it('an expired invite is refused; an unknown code gets the same answer', async () => {
    const { code } = await h.invite(h.newName(), 'operator', 1);
    h.clock.advance(3600_001);
    try {
      const expired = await h.api('POST', '/v1/enroll/options', { inviteCode: code });
      expect(expired.body.error).toMatchObject({ code: 'invite_invalid' });
      const unknown = await h.api('POST', '/v1/enroll/options', { inviteCode: 'KL-0000-0000-0000-0000' });
      expect(unknown.body.error).toEqual(expired.body.error);
    } finally {
      h.clock.advance(-3600_001);
    }
  });

  it('an invite that expires between options and verification is not redeemed', async () => {
    const { code } = await h.invite(h.newName(), 'operator', 1 / 60); // the shortest invite: 1 minute
    h.clock.advance(57_000); // 3 s of it left
    const options = await h.api('POST', '/v1/enroll/options', { inviteCode: code });
    expect(options.body.expiresAt - h.clock.now()).toBeLessThanOrEqual(3000);
    h.clock.advance(4000);
    try {
      const done = await h.api('POST', '/v1/enroll/verify', { intentId: options.body.intentId, registration: new SoftAuthenticator(ORIGIN).register(options.body.options), label: 'x' });
      expect(done.body.error.code).toBe('challenge_expired');
    } finally {
      h.clock.advance(-61_000);
    }
  });

  it.each([
    ['wrong origin', { origin: 'https://evil.test' }],
    ['wrong rpId', { rpId: 'evil.test' }],
    ['wrong ceremony type', { type: 'webauthn.get' }],
    ['no user presence', { up: false }],
  ])('a registration with %s is refused and the invite stays unspent', async (_, tweaks) => {
    const { code } = await h.invite(h.newName());
    const options = await h.api('POST', '/v1/enroll/options', { inviteCode: code });
    const done = await h.api('POST', '/v1/enroll/verify', { intentId: options.body.intentId, registration: new SoftAuthenticator(ORIGIN).register(options.body.options, tweaks), label: 'x' });
    expect(done.body.error.code).toBe('verification_failed');
    expect((await h.store.getInvite(inviteCodeHash(code)))?.redeemedAt).toBeUndefined();
  });

  it('an invite for an existing name cannot be made', async () => {
    const user = await h.enroll();
    await expect(h.invite(user.name)).rejects.toMatchObject({ code: 'user_exists' });
  });
});
