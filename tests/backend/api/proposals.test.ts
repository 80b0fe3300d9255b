import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';
import { MemoryStore } from '../../support/memoryStore';
import { approvalHelpers, approvalJobs } from '../../support/approvals';
import { issueProposer } from '../../../backend/core/proposers';
import { systemRandom } from '../../../backend/createVerifier';

/**
 * Issue 16 §2: a proposer token can only propose, and poll its own proposals; a person's touch launches.
 * On dynalite and on the in-memory store, over real HTTP and real WebAuthn.
 */
describe.each([
  ['dynalite', undefined],
  ['memory store', () => new MemoryStore()],
] as const)('proposals on %s', (_name, store) => {
  let h: Harness;
  let a: ReturnType<typeof approvalHelpers>;
  beforeAll(async () => {
    h = await startHarness({ jobs: approvalJobs, ...(store ? { store } : {}) });
    a = approvalHelpers(h);
  });
  afterAll(() => h.close());

  const issue = (jobs = ['echo', 'pair', 'with-secret'], ttlHours = 1) => issueProposer({ store: h.store, clock: h.clock, random: systemRandom }, { name: 'ci-bot', jobs, ttlHours, createdBy: 'test' });
  const as = (token: string) => ({ authorization: `Proposer ${token}` });
  const api = (method: string, path: string, token: string, body?: unknown) => h.api(method, path, body, undefined, as(token));

  it('a proposal waits for a person; their touch launches it; the proposer polls the outcome', async () => {
    const { token, record } = await issue();
    // Stored hashed: the token itself is nowhere in the record.
    expect(JSON.stringify(await h.store.getProposer(record.id))).not.toContain(token.split('.')[2]);
    const jobs = await api('GET', '/v1/proposals/jobs', token);
    expect(jobs.body.jobs.map((j: any) => j.name)).toEqual(['echo', 'pair']); // with-secret cannot be proposed
    const before = a.launches();
    const made = await api('POST', '/v1/proposals', token, { job: 'echo', params: { message: 'from the bot', count: 2 }, reason: 'nightly check' });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    expect(made.body.request).toMatchObject({ status: 'pending', proposer: { name: 'ci-bot' }, reason: 'nightly check', missing: { people: 1 }, approvals: [] });
    expect(a.launches()).toBe(before);

    const bob = await a.person();
    const waiting = await h.api('GET', '/v1/requests', undefined, bob.token);
    expect(waiting.body.waiting.find((r: any) => r.id === made.body.request.id)).toMatchObject({ reason: 'nightly check', fingerprint: made.body.request.fingerprint });
    const done = await a.decide(bob, made.body.request.id);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.run).toMatchObject({ proposedBy: { name: 'ci-bot', reason: 'nightly check' }, credentialId: bob.credentialId });
    expect(a.launches()).toBe(before + 1);
    // The job (and AWS, as the launch role's SourceIdentity) learns the person whose touch launched it, never the
    // proposer's label: "proposer:ci-bot" is no SourceIdentity STS accepts, and no person.
    expect(h.launcher.launches.at(-1)!.requestedBy).toBe(bob.name);
    await h.ended(done.body.run.id, bob.token);

    const polled = await api('GET', `/v1/proposals/${made.body.request.id}`, token);
    expect(polled.body.request.status).toBe('launched');
    expect(polled.body.run).toEqual({ id: done.body.run.id, status: 'succeeded', createdAt: expect.any(Number), updatedAt: expect.any(Number) });
    expect(JSON.stringify(polled.body)).not.toContain('from the bot|2'); // no output, no launch details
    // Who approved is not the proposer's to know (a compromised agent would learn whom to work on): a count
    // and times, never names, ids or groups.
    expect(polled.body.request.approvals).toEqual([{ at: expect.any(Number) }]);
    expect(JSON.stringify(polled.body)).not.toContain(bob.name);
    expect(JSON.stringify(polled.body)).not.toContain(bob.userId);
  });

  it('the job’s own approvals rule still applies to a proposal, and no proposer counts', async () => {
    const { token } = await issue();
    const made = await api('POST', '/v1/proposals', token, { job: 'pair', params: { message: 'x' }, reason: 'r' });
    expect(made.body.request.rule).toMatchObject({ min: 2, requesterCounts: false });
    const [bob, carol] = [await a.person(), await a.person()];
    expect((await a.decide(bob, made.body.request.id)).body.request.status).toBe('pending');
    expect((await a.decide(carol, made.body.request.id)).body.request.status).toBe('launched');
    expect(h.launcher.launches.at(-1)!.requestedBy).toBe(carol.name); // the last approver's touch launched it
  });

  it('a proposer token can never launch, approve, read runs or requests, or see other proposals', async () => {
    const { token } = await issue();
    const other = await issue();
    const bob = await a.person();
    const mine = await api('POST', '/v1/proposals', token, { job: 'echo', params: { message: 'm' }, reason: 'r' });
    const theirs = await api('POST', '/v1/proposals', other.token, { job: 'echo', params: { message: 't' }, reason: 'r' });
    const refused = [
      await api('POST', '/v1/runs/prepare', token, { job: 'echo', params: { message: 'x' } }),
      await api('POST', '/v1/runs/confirm', token, { intentId: 'int_x', assertion: bob.authenticator.assert({ challenge: 'AA', rpId: 'keylaunch.test', allowCredentials: [{ id: bob.credentialId, type: 'public-key' }] }) }),
      await api('GET', '/v1/runs', token),
      await api('GET', '/v1/requests', token),
      await api('GET', `/v1/requests/${mine.body.request.id}`, token),
      await api('POST', `/v1/requests/${mine.body.request.id}/approve/options`, token, {}),
      await api('GET', '/v1/jobs', token),
      await api('GET', '/v1/audit', token),
    ];
    for (const r of refused) expect([r.status, r.body.error.code]).toEqual([401, 'session_invalid']);
    const peek = await api('GET', `/v1/proposals/${theirs.body.request.id}`, token);
    expect([peek.status, peek.body.error.code]).toEqual([404, 'approval_unknown']);
    // The other way: each token sees its own.
    expect((await api('GET', `/v1/proposals/${theirs.body.request.id}`, other.token)).status).toBe(200);
    // And a person's session cannot use the proposal routes.
    expect((await h.api('POST', '/v1/proposals', { job: 'echo', params: { message: 'x' }, reason: 'r' }, bob.token)).body.error.code).toBe('proposer_invalid');
  });

  it('scope, expiry, revocation and forgery: each refused, and audited once the token is known', async () => {
    const { token, record } = await issue(['echo'], 1);
    const outOfScope = await api('POST', '/v1/proposals', token, { job: 'pair', params: { message: 'x' }, reason: 'r' });
    expect([outOfScope.status, outOfScope.body.error.code]).toEqual([403, 'proposer_not_allowed']);
    const badParams = await api('POST', '/v1/proposals', token, { job: 'echo', params: { nope: 1 }, reason: 'r' });
    expect(badParams.body.error.code).toBe('params_invalid');
    expect((await api('POST', '/v1/proposals', token, { job: 'echo', params: { message: 'x' } })).body.error.code).toBe('bad_request');
    const audit = (await h.auditEntries(200)).find((e) => e.action === 'proposal.create' && e.code === 'proposer_not_allowed');
    expect(audit).toMatchObject({ outcome: 'refused', userName: 'proposer:ci-bot', job: 'pair' });

    const forged = `klp.${record.id}.${'A'.repeat(43)}`;
    expect((await api('POST', '/v1/proposals', forged, { job: 'echo', params: { message: 'x' }, reason: 'r' })).body.error.code).toBe('proposer_invalid');
    expect((await api('GET', '/v1/proposals/jobs', 'klp.nonsense')).body.error.code).toBe('proposer_invalid');

    const pending = await api('POST', '/v1/proposals', token, { job: 'echo', params: { message: 'x' }, reason: 'r' });
    expect(pending.status).toBe(200);
    expect(await h.store.revokeProposer(record.id, h.clock.now())).toBe(true);
    expect((await api('GET', '/v1/proposals/jobs', token)).body.error.code).toBe('proposer_invalid');
    // A proposal whose token was revoked before the last approval does not launch.
    const bob = await a.person();
    const before = a.launches();
    const late = await a.decide(bob, pending.body.request.id);
    expect(late.body.error.code).toBe('approval_approver_invalid');
    expect(a.launches()).toBe(before);

    const short = await issue(['echo'], 1);
    h.clock.advance(3_600_001);
    try {
      expect((await api('GET', '/v1/proposals/jobs', short.token)).body.error.code).toBe('proposer_invalid');
    } finally {
      h.clock.advance(-3_600_001);
    }
  });
});
