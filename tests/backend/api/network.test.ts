import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('network: the allowlist and throttling', () => {
  it('an address outside the allowlist is refused even with a forged X-Forwarded-For, and stores nothing', async () => {
    h = await startHarness({ config: { allowedCidrs: ['10.20.0.0/16', '2001:db8::/32'] } });
    const res = await h.api('POST', '/v1/unlock/options', { userName: 'someone' }, undefined, { 'x-forwarded-for': '10.20.1.1', forwarded: 'for=10.20.1.1', 'x-real-ip': '10.20.1.1' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('ip_not_allowed');
    // Refused before anyone is identified: a log line and a metric, no audit row, no failure row.
    expect(await h.auditEntries()).toEqual([]);
    expect(await h.store.recentFailures('ip:127.0.0.1', 0, 10)).toEqual([]);
    expect(h.events).toEqual([expect.objectContaining({ code: 'ip_not_allowed', sourceIp: '127.0.0.1', Refused: 1 })]);
  });

  it('an address inside the allowlist passes', async () => {
    h = await startHarness({ config: { allowedCidrs: ['127.0.0.0/8'] } });
    const res = await h.api('POST', '/v1/unlock/options', { userName: 'someone' });
    expect(res.status).toBe(200);
  });

  it('forged session tokens count against the address; a locked address is refused on every route', async () => {
    h = await startHarness({ config: { rateLimit: { windowSeconds: 60, maxFailuresPerIp: 5, maxFailuresPerUser: 100 } } });
    const { code } = await h.invite(h.newName());
    const forged = ['v1.forged.token', 'v1.eyJ9.AAAA', 'not-even-v1', 'x'.repeat(3000)];
    for (let i = 0; i < 5; i++) {
      // Any route: a present but forged token is refused, even where no session is needed.
      const r = await h.api('POST', '/v1/enroll/options', { inviteCode: 'nope-nope' }, forged[i % forged.length]);
      expect(r.body.error.code).toBe('session_invalid');
    }
    for (const [method, path, body] of [
      ['GET', '/v1/jobs', undefined],
      ['GET', '/v1/session', undefined],
      ['GET', '/v1/runs', undefined],
      ['POST', '/v1/keys/add/options', {}],
    ] as const) {
      const limited = await h.api(method, path, body);
      expect(limited.status, path).toBe(429);
      expect(limited.body.error.code, path).toBe('rate_limited');
      expect(Number(limited.headers.get('retry-after')), path).toBeGreaterThan(0);
    }
    // A person behind the locked address still enrolls with their invite (from an attacker's review: a
    // shared NAT's lock blocked everyone's enrollment); a wrong code from it answers rate_limited.
    expect((await h.api('POST', '/v1/enroll/options', { inviteCode: 'wrong-code-x' })).body.error.code).toBe('rate_limited');
    expect((await h.api('POST', '/v1/enroll/options', { inviteCode: code })).status).toBe(200);
    h.clock.advance(61_000);
    expect((await h.api('GET', '/v1/jobs')).body.error.code).toBe('session_invalid');
  });

  it('the window slides: a lock lasts until the oldest failure leaves it, with no boundary to exploit', async () => {
    h = await startHarness({ config: { rateLimit: { windowSeconds: 60, maxFailuresPerIp: 3, maxFailuresPerUser: 100 } } });
    const fail = () => h!.api('GET', '/v1/jobs', undefined, 'v1.forged.token');
    await fail();
    h.clock.advance(20_000);
    await fail();
    await fail(); // three failures within 20 s: locked until the first is 60 s old
    h.clock.advance(39_000); // 59 s after the first: a fixed 60 s window would have reset by now
    const stillLocked = await h.api('GET', '/v1/jobs');
    expect(stillLocked.body.error.code).toBe('rate_limited');
    expect(Number(stillLocked.headers.get('retry-after'))).toBe(1);
    h.clock.advance(1_500); // the first failure has left the window; two remain
    expect((await h.api('GET', '/v1/jobs')).body.error.code).toBe('session_invalid'); // answered, not throttled
    // That answer was a failure too: three in the window again, so locked again at once.
    expect((await h.api('GET', '/v1/jobs')).body.error.code).toBe('rate_limited');
  });

  it('failures in someone\'s name never lock them out: a person behind the same address still unlocks', async () => {
    h = await startHarness({ config: { rateLimit: { windowSeconds: 300, maxFailuresPerIp: 5, maxFailuresPerUser: 3 } } });
    const victim = await h.enroll({ role: 'admin' });
    const attacker = await h.enroll();
    for (let i = 0; i < 12; i++) {
      // The attacker signs the victim's unlock options with the attacker's own key, in the victim's name.
      const options = await h.api('POST', '/v1/unlock/options', { userName: victim.name });
      const own = attacker.authenticator.assert({ ...options.body.options, allowCredentials: [{ id: attacker.credentialId, type: 'public-key' }] });
      const forged = { ...own, id: victim.credentialId, rawId: victim.credentialId };
      const r = await h.api('POST', '/v1/unlock/verify', { intentId: options.body.intentId, assertion: forged });
      expect(r.status).toBeGreaterThanOrEqual(400);
      // Once the address is locked, every failure from it answers rate_limited.
      expect(r.body.error.code).toBe(i < 5 ? 'verification_failed' : 'rate_limited');
    }
    expect(await h.store.recentFailures(`user:${victim.userId}`, 0, 10)).toEqual([]);
    // The address is locked for requests that prove nothing…
    expect((await h.api('POST', '/v1/enroll/options', { inviteCode: 'whatever-code' })).body.error.code).toBe('rate_limited');
    // …but the victim's key still unlocks from it, and the session works from it.
    const unlocked = await h.unlock(victim);
    expect(unlocked.status).toBe(200);
    const jobs = await h.api('GET', '/v1/jobs', undefined, unlocked.body.session.token);
    expect(jobs.status).toBe(200);
  });

  it('failures made with a genuine session count against its user too, and a rate-limited confirmation launches nothing', async () => {
    h = await startHarness({ config: { rateLimit: { windowSeconds: 60, maxFailuresPerIp: 1000, maxFailuresPerUser: 2 } } });
    const user = await h.enroll();
    const token = await h.session(user);
    const prep = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'x' } }, token);
    const assertion = user.authenticator.assert(prep.body.options);
    for (let i = 0; i < 2; i++) await h.api('POST', '/v1/runs/confirm', { intentId: 'int_unknown', assertion }, token);
    expect(await h.store.recentFailures(`user:${user.userId}`, 0, 10)).toHaveLength(2);
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token);
    expect(res.body.error.code).toBe('rate_limited');
    expect(h.launcher.launches).toHaveLength(0);
  });

  // From an attacker's review: refusals that kept costing writes once an address was locked.
  it('a locked address stays locked for forged tokens and failed unlocks, and writes no more failures', async () => {
    h = await startHarness({ config: { rateLimit: { windowSeconds: 60, maxFailuresPerIp: 3, maxFailuresPerUser: 100 } } });
    for (let i = 0; i < 3; i++) expect((await h.api('GET', '/v1/jobs', undefined, 'v1.forged.token')).body.error.code).toBe('session_invalid');
    const locked = await h.store.recentFailures('ip:127.0.0.1', 0, 100);
    expect(locked).toHaveLength(3);
    for (let i = 0; i < 20; i++) {
      expect((await h.api('GET', '/v1/jobs', undefined, 'v1.forged.token')).body.error.code).toBe('rate_limited');
      const options = await h.api('POST', '/v1/unlock/options', { userName: `ghost${i}` });
      const failed = await h.api('POST', '/v1/unlock/verify', { intentId: options.body.intentId, assertion: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { authenticatorData: 'AAAA', clientDataJSON: 'AAAA', signature: 'AAAA' }, clientExtensionResults: {} } });
      expect(failed.body.error.code).toBe('rate_limited');
    }
    expect(await h.store.recentFailures('ip:127.0.0.1', 0, 100)).toHaveLength(3);
    // Made-up names asked for unlock options leave no audit rows (a log line each instead).
    expect((await h.auditEntries(200)).filter((e) => e.userName?.startsWith('ghost') && e.action === 'unlock.options')).toEqual([]);
    expect(h.events.some((e) => e.action === 'unlock.options' && /unknown name/.test(String(e.message)))).toBe(true);
  });
});
