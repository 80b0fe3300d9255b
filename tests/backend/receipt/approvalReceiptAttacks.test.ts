import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, RP_ID, startHarness, type Harness } from '../../support/harness';
import { approvalHelpers, approvalJobs } from '../../support/approvals';
import { verifyReceipt, type TrustedRecords } from '../../../backend/receipt/verifyReceipt';
import { recordsFromStore } from '../../../backend/receipt/trustedRecords';

/** Attacks on the offline receipt of a run launched by a request (issue 16): evidence taken away. */
let h: Harness;
let a: ReturnType<typeof approvalHelpers>;
let records: TrustedRecords;
beforeAll(async () => {
  h = await startHarness({ jobs: approvalJobs });
  a = approvalHelpers(h);
  records = recordsFromStore(h.store, { rpId: RP_ID, origins: [ORIGIN] });
});
afterAll(() => h.close());

const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe('receipts of runs launched by a request', () => {
  it('a run that names its request but carries no other person’s approval is incomplete, not a verified run', async () => {
    const [req, bob] = [await a.person(), await a.person()];
    const { request } = await a.request(req, 'pair');
    const last = await a.decide(bob, request.id);
    expect(last.body.request.status).toBe('launched');
    const answer = (await h.api('GET', `/v1/runs/${last.body.run.id}`, undefined, req.token)).body;
    // The other way: as stored, it verifies, with Bob's approval.
    expect(await verifyReceipt(answer, records)).toMatchObject({ ok: true, approvals: [{ requester: true }, { requester: false, by: { userName: bob.name } }] });

    const stripped = copy(answer);
    delete stripped.run.approvals;
    expect(await verifyReceipt(stripped, records)).toMatchObject({ ok: false, problem: 'receipt_incomplete' });
    const empty = copy(answer);
    empty.run.approvals = [];
    expect(await verifyReceipt(empty, records)).toMatchObject({ ok: false, problem: 'receipt_incomplete' });
    // Only the requester's own touch left: nobody else approved, which no request's rule allows.
    const onlyMine = copy(answer);
    onlyMine.run.approvals = [answer.run.approvals[0]];
    expect(await verifyReceipt(onlyMine, records)).toMatchObject({ ok: false, problem: 'receipt_incomplete' });
  });

  it('the rule is signed with the intent: a run missing approvals it needed is refused, even with its request id removed', async () => {
    const [req, bob, carol] = [await a.person(), await a.person(), await a.person()];
    const { request } = await a.request(req, 'three'); // the requester and two more
    await a.decide(bob, request.id);
    const last = await a.decide(carol, request.id);
    const answer = (await h.api('GET', `/v1/runs/${last.body.run.id}`, undefined, req.token)).body;
    expect(JSON.parse(answer.run.intent).approvals).toMatchObject({ min: 3, requesterCounts: true });
    expect(await verifyReceipt(answer, records)).toMatchObject({ ok: true });

    const oneGone = copy(answer);
    oneGone.run.approvals.splice(2, 1);
    expect(await verifyReceipt(oneGone, records)).toMatchObject({ ok: false, problem: 'receipt_incomplete' });
    const allGone = copy(answer);
    delete allGone.run.approvals;
    delete allGone.run.requestId;
    expect(await verifyReceipt(allGone, records)).toMatchObject({ ok: false, problem: 'receipt_incomplete' });
    // The requester's own touch counts only where the rule says so: listed twice it is still one person.
    const padded = copy(answer);
    padded.run.approvals[2] = copy(answer.run.approvals[0]);
    expect(await verifyReceipt(padded, records)).toMatchObject({ ok: false });
  });

  it('a proposal’s signed rule (min + 1 where the requester does not count) is checked the same way', async () => {
    const { issueProposer } = await import('../../../backend/core/proposers');
    const { systemRandom } = await import('../../../backend/createVerifier');
    const { token } = await issueProposer({ store: h.store, clock: h.clock, random: systemRandom }, { name: 'bot', jobs: ['one-other'], ttlHours: 1, createdBy: 'test' });
    const made = await h.api('POST', '/v1/proposals', { job: 'one-other', params: { message: 'p' }, reason: 'r' }, undefined, { authorization: `Proposer ${token}` });
    const [bob, carol] = [await a.person(), await a.person()];
    await a.decide(bob, made.body.request.id);
    const last = await a.decide(carol, made.body.request.id);
    const answer = (await h.api('GET', `/v1/runs/${last.body.run.id}`, undefined, bob.token)).body;
    expect(await verifyReceipt(answer, records)).toMatchObject({ ok: true });
    const oneGone = copy(answer);
    oneGone.run.approvals.splice(1, 1);
    expect(await verifyReceipt(oneGone, records)).toMatchObject({ ok: false, problem: 'receipt_incomplete' });
  });
});
