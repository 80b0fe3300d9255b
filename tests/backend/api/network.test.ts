import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('network: the allowlist and throttling', () => {
  it('an address outside the allowlist is refused even with a forged X-Forwarded-For, and audited', async () => {
    h = await startHarness({ config: { allowedCidrs: ['10.20.0.0/16', '2001:db8::/32'] } });
    const res = await h.api('POST', '/v1/unlock/options', { userName: 'someone' }, undefined, { 'x-forwarded-for': '10.20.1.1', forwarded: 'for=10.20.1.1', 'x-real-ip': '10.20.1.1' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('ip_not_allowed');
    const [entry] = await h.auditEntries(1);
    expect(entry).toMatchObject({ outcome: 'refused', code: 'ip_not_allowed', sourceIp: '127.0.0.1' });
  });

  it('an address inside the allowlist passes', async () => {
    h = await startHarness({ config: { allowedCidrs: ['127.0.0.0/8'] } });
    const res = await h.api('POST', '/v1/unlock/options', { userName: 'someone' });
    expect(res.status).toBe(200);
  });

  it('repeated failures from one address are refused with rate_limited, even with a good request', async () => {
    h = await startHarness({ config: { rateLimit: { windowSeconds: 60, maxFailuresPerIp: 5, maxFailuresPerUser: 100 } } });
    const user = await h.enroll();
    for (let i = 0; i < 5; i++) {
      const r = await h.api('GET', '/v1/jobs', undefined, 'v1.forged.token');
      expect(r.body.error.code).toBe('session_invalid');
    }
    const limited = await h.api('POST', '/v1/unlock/options', { userName: user.name });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    h.clock.advance(60_000);
    expect((await h.unlock(user)).status).toBe(200);
  });

  it('repeated failures for one user are refused with rate_limited, for that user only', async () => {
    h = await startHarness({ config: { rateLimit: { windowSeconds: 60, maxFailuresPerIp: 1000, maxFailuresPerUser: 3 } } });
    const victim = await h.enroll();
    const other = await h.enroll();
    for (let i = 0; i < 3; i++) expect((await h.unlock(victim, { origin: 'https://evil.test' })).body.error.code).toBe('verification_failed');
    const limited = await h.api('POST', '/v1/unlock/options', { userName: victim.name });
    expect(limited.body.error.code).toBe('rate_limited');
    expect((await h.unlock(other)).status).toBe(200);
  });

  it('a rate-limited confirmation launches nothing', async () => {
    h = await startHarness({ config: { rateLimit: { windowSeconds: 60, maxFailuresPerIp: 1000, maxFailuresPerUser: 2 } } });
    const user = await h.enroll();
    const token = await h.session(user);
    const prep = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'x' } }, token);
    const assertion = user.authenticator.assert(prep.body.options);
    for (let i = 0; i < 2; i++) await h.api('POST', '/v1/runs/confirm', { intentId: 'int_unknown', assertion }, token);
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token);
    expect(res.body.error.code).toBe('rate_limited');
    expect(h.launcher.launches).toHaveLength(0);
  });
});
