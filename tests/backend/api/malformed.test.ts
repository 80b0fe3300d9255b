import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startHarness();
  token = await h.session(await h.enroll());
});
afterAll(() => h.close());

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('bad input gets a 4xx with a stable code, never a 5xx, and costs no storage', () => {
  const cases: [string, string, string, unknown, boolean, string][] = [
    ['malformed JSON', 'POST', '/v1/unlock/options', '{"userName": ', false, 'bad_request'],
    ['a JSON array body', 'POST', '/v1/unlock/options', '[]', false, 'bad_request'],
    ['a wrong type', 'POST', '/v1/unlock/options', { userName: 42 }, false, 'bad_request'],
    ['an unknown field', 'POST', '/v1/unlock/options', { userName: 'a', admin: true }, false, 'bad_request'],
    ['deep nesting', 'POST', '/v1/runs/prepare', `{"job":"echo","params":${deep(5000)}}`, true, 'bad_request'],
    ['deep nesting in an assertion', 'POST', '/v1/runs/confirm', `{"intentId":"x","assertion":${deep(10000)}}`, true, 'bad_request'],
    ['a body over 64 KiB', 'POST', '/v1/runs/prepare', JSON.stringify({ job: 'echo', params: { message: 'x'.repeat(70_000) } }), true, 'payload_too_large'],
    ['a 5 MB body', 'POST', '/v1/unlock/options', 'x'.repeat(5_000_000), false, 'payload_too_large'],
    ['non-base64url assertion fields', 'POST', '/v1/unlock/verify', { intentId: 'int_x', assertion: { id: '<script>', rawId: 'a', type: 'public-key', response: { authenticatorData: 'a', clientDataJSON: 'a', signature: 'a' } } }, false, 'bad_request'],
    ['an unknown intent id', 'POST', '/v1/unlock/verify', { intentId: 'int_nothing', assertion: { id: 'a', rawId: 'a', type: 'public-key', response: { authenticatorData: 'a', clientDataJSON: 'a', signature: 'a' } } }, false, 'challenge_unknown'],
    ['garbage authenticator data', 'POST', '/v1/runs/prepare', { job: 'echo', params: { message: { nested: true } } }, true, 'bad_request'],
    ['an unknown route', 'GET', '/v1/nothing', undefined, false, 'not_found'],
    ['a wrong method', 'GET', '/v1/runs/prepare', undefined, true, 'not_found'],
    ['a bad cursor', 'GET', '/v1/runs?cursor=%00%01', undefined, true, 'bad_request'],
    ['a bad limit', 'GET', '/v1/runs?limit=-4', undefined, true, 'bad_request'],
    ['a path with bad escapes', 'GET', '/v1/runs/%E0%A4%A', undefined, true, 'not_found'],
  ];

  it.each(cases)('%s', async (name, method, path, body, withSession, code) => {
    const before = (await h.store.listAudit({ limit: 100 })).items.length;
    const eventsBefore = h.events.length;
    const res = await h.api(method, path, body, withSession ? token : undefined);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
    const after = await h.store.listAudit({ limit: 100 });
    // Only these are found after the session was read, so who asked is known (GET /v1/runs/prepare
    // is run.get of a run named "prepare").
    expect(after.items.length > before).toBe(name === 'a bad cursor' || name === 'a wrong method');
    if (after.items.length > before) {
      // It concerned someone (the session was read): audited, and the refusal expires (TTL).
      expect(after.items[0]).toMatchObject({ outcome: 'refused', code, userName: expect.any(String), expiresAt: expect.any(Number) });
    } else {
      // Refused before anyone was identified: a log line that is also a metric, and no row.
      expect(h.events.slice(eventsBefore)).toEqual([expect.objectContaining({ code, Refused: 1, sourceIp: '127.0.0.1', _aws: expect.objectContaining({ CloudWatchMetrics: expect.any(Array) }) })]);
    }
  });

  it('a garbage assertion against a real challenge is verification_failed, not a crash', async () => {
    const user = await h.enroll();
    const t = await h.session(user);
    const prep = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'x' } }, t);
    const good = user.authenticator.assert(prep.body.options);
    for (const field of ['authenticatorData', 'clientDataJSON', 'signature'] as const) {
      const again = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'x' } }, t);
      const assertion = { ...good, response: { ...good.response, [field]: 'AAAA' } };
      const res = await h.api('POST', '/v1/runs/confirm', { intentId: again.body.intentId, assertion }, t);
      expect(res.status, field).toBe(401);
      expect(res.body.error.code, field).toBe('verification_failed');
    }
  });
});
