import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpdateCommand } from '../../../backend/adapters/dynamo/documentCommands';
import { startHarness, type Harness } from '../../support/harness';
import { MemoryStore } from '../../support/memoryStore';
import { approvalHelpers, approvalJobs } from '../../support/approvals';
import type { ApprovalRequest } from '../../../backend/core/model';

/**
 * Issue 16 §1: M of N approvals, each a person's own touch over the request's intent. Every rule runs on
 * the in-memory store and on dynalite (real DynamoDB conditions), over real HTTP and real WebAuthn.
 */
describe.each([
  ['dynalite', undefined],
  ['memory store', () => new MemoryStore()],
] as const)('approvals on %s', (_name, store) => {
  let h: Harness;
  let a: ReturnType<typeof approvalHelpers>;
  beforeAll(async () => {
    h = await startHarness({ jobs: approvalJobs, ...(store ? { store } : {}) });
    a = approvalHelpers(h);
  });
  afterAll(() => h.close());

  /** Rewrites a stored request's params behind the verifier's back (an edit at rest). */
  async function tamper(requestId: string, params: Record<string, string>) {
    if (store) {
      const requests = (h.store as unknown as { requests: Map<string, ApprovalRequest> }).requests;
      requests.get(requestId)!.params = params;
    } else {
      await h.documents.send(new UpdateCommand({ TableName: 'kl-test', Key: { pk: 'REQUESTS', sk: `REQ#${requestId}` }, UpdateExpression: 'SET params = :p', ExpressionAttributeValues: { ':p': params } }));
    }
  }

  it('a run of a job with approvals waits for the second person, then launches once with every receipt', async () => {
    const [alice, bob] = [await a.person(), await a.person()];
    const before = a.launches();
    const { request, prep } = await a.request(alice, 'pair', 'deploy v2');
    expect(request).toMatchObject({ status: 'pending', fingerprint: prep.body.fingerprint, requester: { name: alice.name }, params: { message: 'deploy v2' }, missing: { people: 1 } });
    expect(request.approvals.map((x: any) => x.userName)).toEqual([alice.name]);
    expect(request.job.target).toContain('deploy v2');
    expect(a.launches()).toBe(before);

    const waiting = await h.api('GET', '/v1/requests', undefined, bob.token);
    expect(waiting.body.waiting.map((r: any) => r.id)).toContain(request.id);
    expect((await h.api('GET', '/v1/requests', undefined, alice.token)).body.mine.map((r: any) => r.id)).toContain(request.id);

    const opts = await a.options(bob, request.id);
    expect(opts.status).toBe(200);
    expect(opts.body.fingerprint).toBe(prep.body.fingerprint);
    expect(opts.body.options.challenge).not.toBe(prep.body.options.challenge);
    const done = await a.verify(bob, request.id, opts);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.request).toMatchObject({ status: 'launched', runId: done.body.run.id });
    expect(a.launches()).toBe(before + 1);
    const run = await h.ended(done.body.run.id, alice.token);
    expect(run).toMatchObject({ status: 'succeeded', userName: alice.name, requestId: request.id, intentId: prep.body.intentId, fingerprint: prep.body.fingerprint });
    expect(run.launch!.stdout!.trim()).toBe('deploy v2');
    expect(run.approvals!.map((x) => x.userName)).toEqual([alice.name, bob.name]);
    expect(run.approvals![1]!.receipt.nonce).toEqual(expect.any(String));
    // The requester's desktop finds the run by its intent, as for any run.
    expect((await h.api('GET', `/v1/runs?intentId=${prep.body.intentId}`, undefined, alice.token)).body.runs[0].id).toBe(run.id);
    expect((await h.api('GET', '/v1/requests', undefined, bob.token)).body.waiting.map((r: any) => r.id)).not.toContain(request.id);
  });

  it('one person counts once: a second key of the same user is refused, a second person counts', async () => {
    const [req, bob, carol] = [await a.person(), await a.person(), await a.person()];
    const bobBackup = await a.secondKey(bob);
    const { request } = await a.request(req, 'three');
    // Both of Bob's approvals are asked for before either lands, so only the verify can stop the second.
    const first = await a.options(bob, request.id);
    const second = await a.options(bob, request.id);
    expect((await a.verify(bob, request.id, first)).status).toBe(200);
    const twice = await a.verify(bob, request.id, second, { authenticator: bobBackup });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('approval_duplicate');
    expect((await a.options(bob, request.id)).body.error.code).toBe('approval_duplicate');
    expect((await a.stored(request.id)).approvals.map((x) => x.userId)).toEqual([req.userId, bob.userId]);
    expect((await a.stored(request.id)).status).toBe('pending');
    // The other way: a second person is the third approval, and it launches.
    const launched = await a.decide(carol, request.id);
    expect(launched.body.request.status).toBe('launched');
  });

  it('two keys of one person at once: exactly one counts', async () => {
    const [req, bob] = [await a.person(), await a.person()];
    const bobBackup = await a.secondKey(bob);
    const { request } = await a.request(req, 'three');
    const [o1, o2] = [await a.options(bob, request.id), await a.options(bob, request.id)];
    const results = await Promise.all([a.verify(bob, request.id, o1), a.verify(bob, request.id, o2, { authenticator: bobBackup })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await a.stored(request.id)).approvals.filter((x) => x.userId === bob.userId)).toHaveLength(1);
  });

  it('no self-approval unless the job lets the requester count', async () => {
    const [req, bob] = [await a.person(), await a.person()];
    const { request } = await a.request(req, 'two-others');
    expect(request.approvals).toEqual([]);
    expect(request.missing.people).toBe(2);
    const self = await a.options(req, request.id);
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('approval_self');
    expect((await h.api('GET', '/v1/requests', undefined, req.token)).body.waiting.map((r: any) => r.id)).not.toContain(request.id);
    // Asked as someone else, then answered by the requester's key: the challenge names Bob, not them.
    const bobs = await a.options(bob, request.id);
    const stolen = await h.api('POST', `/v1/requests/${request.id}/approve/verify`, { intentId: bobs.body.intentId, assertion: req.authenticator.assert(bobs.body.options, { credentialId: req.credentialId }) }, req.token);
    expect(stolen.body.error.code).toBe('not_authorized');
    expect((await a.stored(request.id)).approvals).toEqual([]);
    // The other way: with `requesterCounts`, the requester's touch is the first approval.
    const { request: counted } = await a.request(req, 'pair');
    expect(counted.approvals.map((x: any) => x.userId)).toEqual([req.userId]);
    expect((await a.options(req, counted.id)).body.error.code).toBe('approval_duplicate');
  });

  it('an approval for request A is useless for request B', async () => {
    const [req, bob] = [await a.person(), await a.person()];
    const { request: A } = await a.request(req, 'pair', 'a');
    const { request: B } = await a.request(req, 'pair', 'b');
    const before = a.launches();
    // A's approval sent to B's path.
    const forA = await a.options(bob, A.id);
    const moved = await a.verify(bob, B.id, forA);
    expect(moved.status).toBe(409);
    expect(moved.body.error.code).toBe('approval_mismatch');
    // A's signed assertion presented with B's challenge: the signature is over A's challenge.
    const forA2 = await a.options(bob, A.id);
    const forB = await a.options(bob, B.id);
    const assertionForA = bob.authenticator.assert(forA2.body.options);
    const swapped = await h.api('POST', `/v1/requests/${B.id}/approve/verify`, { intentId: forB.body.intentId, assertion: assertionForA }, bob.token);
    expect(swapped.body.error.code).toBe('verification_failed');
    expect((await a.stored(B.id)).approvals).toHaveLength(1);
    expect((await a.stored(A.id)).approvals).toHaveLength(1);
    expect(a.launches()).toBe(before);
    // The other way: a fresh approval asked for A launches A, with A's parameters.
    const ok = await a.decide(bob, A.id);
    expect(ok.body.run.params).toEqual({ message: 'a' });
  });

  it('an approval is single use: a replay is refused and counts nothing', async () => {
    const [req, bob, carol] = [await a.person(), await a.person(), await a.person()];
    const { request } = await a.request(req, 'three');
    const opts = await a.options(bob, request.id);
    const assertion = bob.authenticator.assert(opts.body.options);
    const body = { intentId: opts.body.intentId, assertion };
    expect((await h.api('POST', `/v1/requests/${request.id}/approve/verify`, body, bob.token)).status).toBe(200);
    const replay = await h.api('POST', `/v1/requests/${request.id}/approve/verify`, body, bob.token);
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('challenge_used');
    // Nor can someone else's session present it.
    const byCarol = await h.api('POST', `/v1/requests/${request.id}/approve/verify`, body, carol.token);
    expect(byCarol.body.error.code).toBe('challenge_used');
    expect((await a.stored(request.id)).approvals).toHaveLength(2);
  });

  it('20 concurrent last approvals launch once', async () => {
    const req = await a.person();
    const people = [];
    for (let i = 0; i < 20; i++) people.push(await a.person());
    const { request } = await a.request(req, 'one-other');
    const opts = await Promise.all(people.map((p) => a.options(p, request.id)));
    const before = a.launches();
    const results = await Promise.all(people.map((p, i) => a.verify(p, request.id, opts[i]!)));
    const launched = results.filter((r) => r.status === 200);
    expect(launched).toHaveLength(1);
    expect(launched[0]!.body.run.id).toEqual(expect.any(String));
    expect(new Set(results.filter((r) => r.status !== 200).map((r) => r.body.error.code))).toEqual(new Set(['approval_closed']));
    expect(a.launches()).toBe(before + 1);
    const final = await a.stored(request.id);
    expect(final.status).toBe('launched');
    expect(final.approvals).toHaveLength(1);
    expect(final.runId).toBe(launched[0]!.body.run.id);
  });

  it('a request cannot be edited after its first approval: a changed record approves nothing', async () => {
    const [req, bob, carol] = [await a.person(), await a.person(), await a.person()];
    const { request } = await a.request(req, 'three', 'safe');
    expect((await a.decide(bob, request.id)).status).toBe(200);
    // There is no route that edits a request.
    expect((await h.api('POST', `/v1/requests/${request.id}`, { params: { message: 'evil' } }, req.token)).body.error.code).toBe('not_found');
    await tamper(request.id, { message: 'evil' });
    const before = a.launches();
    const refused = await a.decide(carol, request.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('approval_request_changed');
    expect(a.launches()).toBe(before);
    // The other way: restored to what was asked, the same approval by Carol launches the original.
    await tamper(request.id, { message: 'safe' });
    const ok = await a.decide(carol, request.id);
    expect(ok.status).toBe(200);
    expect(ok.body.run.params).toEqual({ message: 'safe' });
    expect(h.launcher.launches.at(-1)!.params).toEqual({ message: 'safe' });
  });

  it('a rejection ends the request; the requester may withdraw their own', async () => {
    const [req, bob, carol] = [await a.person(), await a.person(), await a.person()];
    const { request } = await a.request(req, 'three');
    const rejected = await a.decide(bob, request.id, 'reject');
    expect(rejected.status).toBe(200);
    expect(rejected.body.request).toMatchObject({ status: 'rejected', rejectedBy: { userName: bob.name }, end: { code: 'approval_rejected' } });
    const late = await a.decide(carol, request.id);
    expect(late.body.error.code).toBe('approval_rejected');
    const { request: mine } = await a.request(req, 'three');
    expect((await a.decide(req, mine.id, 'reject')).body.request.status).toBe('rejected');
    const audit = (await h.auditEntries(200)).find((e) => e.action === 'request.approve.options' && e.userId === carol.userId);
    expect(audit).toMatchObject({ outcome: 'refused', code: 'approval_rejected', job: 'three' });
  });

  it('expiry ends the request', async () => {
    const [req, bob] = [await a.person(), await a.person()];
    const { request } = await a.request(req, 'pair');
    const opts = await a.options(bob, request.id);
    h.clock.advance(601_000);
    try {
      bob.token = await h.session(bob); // sessions are shorter than requests
      // The approval's own challenge expires with the request.
      expect((await a.verify(bob, request.id, opts)).body.error.code).toBe('challenge_expired');
      expect((await a.options(bob, request.id)).body.error.code).toBe('approval_expired');
      const got = await h.api('GET', `/v1/requests/${request.id}`, undefined, bob.token);
      expect(got.body.request.status).toBe('expired');
    } finally {
      h.clock.advance(-601_000);
    }
  });

  it('a changed job ends the request at the next approval', async () => {
    const [req, bob] = [await a.person(), await a.person()];
    const { request } = await a.request(req, 'pair');
    const opts = await a.options(bob, request.id);
    h.writeJobs(approvalJobs.map((j) => (j.name === 'pair' ? { ...j, title: 'Changed' } : j)));
    try {
      const before = a.launches();
      const refused = await a.verify(bob, request.id, opts);
      expect(refused.body.error.code).toBe('approval_job_changed');
      expect(a.launches()).toBe(before);
      expect((await a.stored(request.id))).toMatchObject({ status: 'ended', end: { code: 'approval_job_changed' } });
    } finally {
      h.writeJobs(approvalJobs);
    }
  });

  it('a disabled approver or a revoked key ends the request at the last approval', async () => {
    for (const spoil of ['disable', 'revoke'] as const) {
      const [req, bob, carol] = [await a.person(), await a.person(), await a.person()];
      const { request } = await a.request(req, 'three');
      expect((await a.decide(bob, request.id)).status).toBe(200);
      if (spoil === 'disable') await h.store.setUserDisabled(bob.userId, true);
      else await h.store.setCredentialState(bob.userId, bob.credentialId, { revokedAt: Date.now() });
      const before = a.launches();
      const refused = await a.decide(carol, request.id);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('approval_approver_invalid');
      expect(a.launches()).toBe(before);
      expect((await a.stored(request.id)).status).toBe('ended');
    }
  });

  it('groups: one from sre AND one from security, distinct people; others are not eligible', async () => {
    const admin = await a.person({ role: 'admin' });
    const [sre1, sre2, sec, nobody] = [await a.person({ groups: ['sre'] }), await a.person({ groups: ['sre'] }), await a.person({ groups: ['security'] }), await a.person()];
    const { request } = await a.request(admin, 'sre-and-security');
    expect(request.missing).toEqual({ people: 2, groups: { sre: 1, security: 1 } });
    const outsider = await a.options(nobody, request.id);
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.code).toBe('approval_not_eligible');
    expect((await h.api('GET', '/v1/requests', undefined, nobody.token)).body.waiting.map((r: any) => r.id)).not.toContain(request.id);
    expect((await h.api('GET', `/v1/requests/${request.id}`, undefined, nobody.token)).body.error.code).toBe('approval_unknown');
    // Two from sre are two people but not the rule.
    expect((await a.decide(sre1, request.id)).body.request.status).toBe('pending');
    const two = await a.decide(sre2, request.id);
    expect(two.body.request).toMatchObject({ status: 'pending', missing: { people: 0, groups: { security: 1 } } });
    const launched = await a.decide(sec, request.id);
    expect(launched.body.request.status).toBe('launched');
    expect(launched.body.run.approvals.map((x: any) => x.userName)).toEqual([sre1.name, sre2.name, sec.name]);
  });

  it('bad input answers 4xx with a stable code', async () => {
    const bob = await a.person();
    expect((await a.options(bob, 'req_nope')).body.error.code).toBe('approval_unknown');
    expect((await h.api('POST', '/v1/requests/req_x/approve/options', { requestId: 'req_y' }, bob.token)).body.error.code).toBe('bad_request');
    expect((await h.api('POST', '/v1/requests/req_x/approve/verify', { intentId: 'int_x' }, bob.token)).body.error.code).toBe('bad_request');
    expect((await h.api('POST', '/v1/requests/req_x/approve/options', '[1]', bob.token)).body.error.code).toBe('bad_request');
    expect((await h.api('GET', '/v1/requests/req_x', undefined, bob.token)).body.error.code).toBe('approval_unknown');
    expect((await h.api('GET', '/v1/requests', undefined)).status).toBe(401);
  });
});
