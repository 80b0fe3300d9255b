import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';
import { MemoryStore } from '../../support/memoryStore';
import { approvalHelpers, approvalJobs } from '../../support/approvals';
import { issueProposer } from '../../../backend/core/proposers';
import { systemRandom } from '../../../backend/createVerifier';
import { timeOrderedId } from '../../../backend/core/ids';
import type { ApprovalRequest } from '../../../backend/core/model';

/**
 * An attacker's review of issue 16 (approvals and proposals): each test is an attack that worked before
 * its fix, and the other way round (what must still work). On dynalite and the in-memory store, over
 * real HTTP and real WebAuthn.
 */
describe.each([
  ['dynalite', undefined],
  ['memory store', () => new MemoryStore()],
] as const)('attacks on approvals, on %s', (_name, store) => {
  let h: Harness;
  let a: ReturnType<typeof approvalHelpers>;
  beforeAll(async () => {
    h = await startHarness({ jobs: approvalJobs, ...(store ? { store } : {}) });
    a = approvalHelpers(h);
  });
  afterAll(() => h.close());

  const issue = (jobs = ['echo', 'pair', 'sre-and-security'], name = 'bot') => issueProposer({ store: h.store, clock: h.clock, random: systemRandom }, { name, jobs, ttlHours: 48, createdBy: 'test' });
  const proposeAs = (token: string, body: unknown) => h.api('POST', '/v1/proposals', body, undefined, { authorization: `Proposer ${token}` });

  it('newer requests (closed ones, a flood) never push an open request off the "Waiting for you" list', async () => {
    const [alice, bob] = [await a.person(), await a.person()];
    const { request } = await a.request(alice, 'one-other', 'buried');
    const template = await a.stored(request.id);
    // 250 newer requests, already closed (launched, rejected, expired…): the list must look past them.
    h.clock.advance(1000);
    try {
      for (let i = 0; i < 250; i++) {
        const id = timeOrderedId('req_', h.clock, systemRandom);
        await h.store.createRequest({ ...template, id, status: 'ended', end: { code: 'approval_job_changed', message: 'x', at: h.clock.now() }, createdAt: h.clock.now() } as ApprovalRequest);
      }
      const waiting = await h.api('GET', '/v1/requests', undefined, bob.token);
      expect(waiting.status).toBe(200);
      expect(waiting.body.waiting.map((r: any) => r.id)).toContain(request.id);
      // Closed requests are not listed at all.
      expect(waiting.body.waiting.every((r: any) => r.status === 'pending')).toBe(true);
      expect((await h.api('GET', '/v1/requests', undefined, alice.token)).body.mine.map((r: any) => r.id)).toEqual([request.id]);
    } finally {
      h.clock.advance(-1000);
    }
  });

  it('a proposer token cannot flood people with proposals: 10 open at once, 30 an hour, then rate_limited with retry-after; others unaffected', async () => {
    // 'pair' proposals stay open 600 s unless someone decides.
    const { token } = await issue(['pair'], 'flooder');
    const { token: other } = await issue(['pair'], 'quiet');
    const body = (i: number) => ({ job: 'pair', params: { message: `flood ${i}` }, reason: 'r' });
    const stored = async () => (await h.store.listRequestsSince(h.clock.now() - 86_400_000, 10_000)).length;
    const refusedNow = async (i: number) => {
      const before = await stored();
      const r = await proposeAs(token, body(i));
      expect([r.status, r.body.error.code]).toEqual([429, 'rate_limited']);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await stored()).toBe(before);
    };
    const advanced = 3 * 601_000;
    try {
      let i = 0;
      for (; i < 10; i++) expect((await proposeAs(token, body(i))).status).toBe(200);
      await refusedNow(i); // 10 open: the 11th waits
      expect((await proposeAs(other, body(0))).status).toBe(200); // another token is its own budget
      // A person's decision closes one: the token may ask again.
      const open = (await h.store.listRequestsSince(h.clock.now() - 86_400_000, 10_000, h.clock.now())).find((r) => r.proposer?.name === 'flooder')!;
      expect((await a.decide(await a.person(), open.id, 'reject')).body.request.status).toBe('rejected');
      expect((await proposeAs(token, body(i++))).status).toBe(200);
      // Expiry closes them too; but within the hour, 30 is the most.
      h.clock.advance(601_000);
      for (let k = 0; k < 10; k++, i++) expect((await proposeAs(token, body(i))).status).toBe(200);
      h.clock.advance(601_000);
      for (let k = 0; k < 9; k++, i++) expect((await proposeAs(token, body(i))).status).toBe(200);
      h.clock.advance(601_000);
      expect(i).toBe(30);
      await refusedNow(i); // 30 in the last hour, though none is open
    } finally {
      h.clock.advance(-advanced);
    }
  });

  it.each([
    ['a right-to-left override', 'approve: safe \u202Eraboof'],
    ['a bidi isolate', 'ok \u2066hidden\u2069'],
    ['a newline that fakes a line of the review', 'routine\nFingerprint: AAAA-BBBB'],
    ['an escape sequence', 'x \u001b[2J'],
    ['a zero-width space', 'de\u200bploy'],
  ])('a proposal reason with %s is refused (bad_request), and nothing is stored', async (_what, reason) => {
    const { token } = await issue(['echo'], 'shady');
    const before = (await h.store.listRequestsSince(h.clock.now() - 3_600_000, 1000)).length;
    const r = await proposeAs(token, { job: 'echo', params: { message: 'm' }, reason });
    expect([r.status, r.body.error.code]).toEqual([400, 'bad_request']);
    expect((await h.store.listRequestsSince(h.clock.now() - 3_600_000, 1000)).length).toBe(before);
    // The other way: any printable text, in any script, is a reason.
    const ok = await proposeAs(token, { job: 'echo', params: { message: 'm' }, reason: 'déployer la correction — מבחן ✓' });
    expect(ok.status).toBe(200);
    expect(ok.body.request.reason).toBe('déployer la correction — מבחן ✓');
  });

  it('a proposal of a job only admins may run is never launched by group members alone: someone the job allows must approve', async () => {
    const { token } = await issue(['sre-and-security'], 'escalate');
    const [sre, sec, sre2] = [await a.person({ groups: ['sre'] }), await a.person({ groups: ['security'] }), await a.person({ groups: ['sre'] })];
    const made = await proposeAs(token, { job: 'sre-and-security', params: { message: 'as admin' }, reason: 'r' });
    expect(made.status).toBe(200);
    const id = made.body.request.id;
    const before = a.launches();
    expect((await a.decide(sre, id)).body.request.status).toBe('pending');
    expect((await a.decide(sec, id)).body.request.status).toBe('pending');
    // A third operator's approval would complete the rule with nobody the job allows: refused, not recorded.
    expect((await a.options(sre2, id)).body.error.code).toBe('approval_not_eligible');
    expect(a.launches()).toBe(before);
    expect((await a.stored(id))).toMatchObject({ status: 'pending' });
    expect((await a.stored(id)).approvals.map((x) => x.userId)).toEqual([sre.userId, sec.userId]);
    // The other way: an admin completes it, and it launches.
    const admin = await a.person({ role: 'admin' });
    const launched = await a.decide(admin, id);
    expect(launched.body.request.status).toBe('launched');
    expect(a.launches()).toBe(before + 1);
  });

  it('the same holds at verify: options asked before the rule was nearly met do not let group members launch a proposal alone', async () => {
    const { token } = await issue(['sre-and-security'], 'escalate2');
    const [sre, sec, sre2] = [await a.person({ groups: ['sre'] }), await a.person({ groups: ['security'] }), await a.person({ groups: ['sre'] })];
    const id = (await proposeAs(token, { job: 'sre-and-security', params: { message: 'as admin' }, reason: 'r' })).body.request.id;
    const early = await a.options(sre2, id); // asked while the rule was still far from met
    expect(early.status).toBe(200);
    expect((await a.decide(sre, id)).body.request.status).toBe('pending');
    expect((await a.decide(sec, id)).body.request.status).toBe('pending');
    const before = a.launches();
    const refused = await a.verify(sre2, id, early);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'approval_not_eligible']);
    expect(a.launches()).toBe(before);
    expect((await a.stored(id)).approvals.map((x) => x.userId)).toEqual([sre.userId, sec.userId]);
  });

  it('a group named like an Object property ("constructor") makes nobody eligible for every rule', async () => {
    const admin = await a.person({ role: 'admin' });
    const [odd, sec] = [await a.person({ groups: ['constructor'] }), await a.person({ groups: ['security'] })];
    const { request } = await a.request(admin, 'sre-and-security');
    expect((await a.options(odd, request.id)).body.error.code).toBe('approval_not_eligible');
    expect((await h.api('GET', '/v1/requests', undefined, odd.token)).body.waiting.map((r: any) => r.id)).not.toContain(request.id);
    expect((await h.api('GET', `/v1/requests/${request.id}`, undefined, odd.token)).body.error.code).toBe('approval_unknown');
    // The other way: a member of one of the rule's own groups is eligible.
    expect((await a.options(sec, request.id)).status).toBe(200);
  });

  it('whoever controls the catalog between request and approval cannot show approvers another target: the review says the job changed', async () => {
    const [req, bob] = [await a.person(), await a.person()];
    const { request } = await a.request(req, 'pair', 'harmless');
    expect(request.job.target).toContain('console.log');
    h.writeJobs(approvalJobs.map((j: any) => (j.name === 'pair' ? { ...j, target: { ...j.target, argv: [process.execPath, '-e', 'console.log("EVIL", process.argv[1])', '{{message}}'] } } : j)));
    try {
      const shown = [
        (await h.api('GET', `/v1/requests/${request.id}`, undefined, bob.token)).body.request,
        (await h.api('GET', '/v1/requests', undefined, bob.token)).body.waiting.find((r: any) => r.id === request.id),
      ];
      for (const view of shown) {
        expect(view.job.target).not.toContain('EVIL');
        expect(view.job.target).toMatch(/changed since it was requested/);
      }
      const before = a.launches();
      expect((await a.decide(bob, request.id)).body.error.code).toBe('approval_job_changed');
      expect(a.launches()).toBe(before);
    } finally {
      h.writeJobs(approvalJobs);
    }
    // The other way: with the job as it was requested, the review shows its real target.
    const { request: again } = await a.request(req, 'pair', 'harmless');
    expect((await h.api('GET', `/v1/requests/${again.id}`, undefined, bob.token)).body.request.job.target).toContain('harmless');
  });

  it('a person holding a proposer token cannot halve a two-person rule: a proposal needs as many people as a person’s request', async () => {
    // 'one-other': the requester and one other person. Alice drives a CI token and has her own key.
    const { token } = await issue(['one-other', 'two-others', 'pair'], 'alices-ci');
    const [alice, bob, carol] = [await a.person(), await a.person(), await a.person()];
    const before = a.launches();
    const made = await proposeAs(token, { job: 'one-other', params: { message: 'alone?' }, reason: 'r' });
    expect(made.body.request.missing.people).toBe(2);
    const first = await a.decide(alice, made.body.request.id);
    expect(first.body.request).toMatchObject({ status: 'pending', missing: { people: 1 } });
    expect(a.launches()).toBe(before);
    expect((await a.decide(bob, made.body.request.id)).body.request.status).toBe('launched');
    expect(a.launches()).toBe(before + 1);
    // 'two-others' is three people when a person asks: three for a proposal too.
    const three = await proposeAs(token, { job: 'two-others', params: { message: 'x' }, reason: 'r' });
    expect(three.body.request.missing.people).toBe(3);
    // The other way: where the requester counts ('pair', two people), a proposal still needs two, not three.
    const pair = await proposeAs(token, { job: 'pair', params: { message: 'x' }, reason: 'r' });
    expect(pair.body.request.missing.people).toBe(2);
    await a.decide(alice, pair.body.request.id);
    expect((await a.decide(carol, pair.body.request.id)).body.request.status).toBe('launched');
  });

  it('one person cannot flood the list either: 10 open requests at once, then rate_limited; withdrawing one frees room', async () => {
    const [flooder, other] = [await a.person(), await a.person()];
    const opened: string[] = [];
    for (let i = 0; i < 10; i++) opened.push((await a.request(flooder, 'pair', `f${i}`)).request.id);
    const prep = await h.api('POST', '/v1/runs/prepare', { job: 'pair', params: { message: 'one more' } }, flooder.token);
    const before = (await h.store.listRequestsSince(h.clock.now() - 86_400_000, 10_000)).length;
    const refused = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: flooder.authenticator.assert(prep.body.options) }, flooder.token);
    expect([refused.status, refused.body.error.code]).toEqual([429, 'rate_limited']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await h.store.listRequestsSince(h.clock.now() - 86_400_000, 10_000)).length).toBe(before);
    // The other way: another person is unaffected, and withdrawing one of the ten frees a place.
    expect((await a.request(other, 'pair')).request.status).toBe('pending');
    expect((await a.decide(flooder, opened[0]!, 'reject')).body.request.status).toBe('rejected');
    expect((await a.request(flooder, 'pair', 'room again')).request.status).toBe('pending');
  });

  it('a revoked proposer’s open proposals leave the "Waiting for you" list: nobody is asked to touch for what cannot launch', async () => {
    const { token, record } = await issue(['echo'], 'revoked-bot');
    const { token: live } = await issue(['echo'], 'live-bot');
    const bob = await a.person();
    const doomed = (await proposeAs(token, { job: 'echo', params: { message: 'x' }, reason: 'r' })).body.request.id;
    const kept = (await proposeAs(live, { job: 'echo', params: { message: 'y' }, reason: 'r' })).body.request.id;
    const waiting = async () => (await h.api('GET', '/v1/requests', undefined, bob.token)).body.waiting.map((r: any) => r.id);
    expect(await waiting()).toEqual(expect.arrayContaining([doomed, kept]));
    await h.store.revokeProposer(record.id, h.clock.now());
    expect(await waiting()).not.toContain(doomed);
    // The other way: another token's proposal is still there, and approving the revoked one still ends it.
    expect(await waiting()).toContain(kept);
    expect((await a.decide(bob, doomed)).body.error.code).toBe('approval_approver_invalid');
  });
});
