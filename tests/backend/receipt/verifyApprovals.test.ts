import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, RP_ID, startHarness, type Harness } from '../../support/harness';
import { approvalHelpers, approvalJobs } from '../../support/approvals';
import { verifyReceipt, type TrustedRecords } from '../../../backend/receipt/verifyReceipt';
import { recordsFromStore } from '../../../backend/receipt/trustedRecords';
import { canonicalJson } from '../../../backend/core/canonicalJson';
import { issueProposer } from '../../../backend/core/proposers';
import { systemRandom } from '../../../backend/createVerifier';

/** Issue 16: a run launched by several approvals re-verifies each one offline, and any change to one is refused. */
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

async function launched(job = 'three') {
  const people = [await a.person(), await a.person(), await a.person()];
  const { request } = await a.request(people[0]!, job);
  await a.decide(people[1]!, request.id);
  const last = await a.decide(people[2]!, request.id);
  expect(last.body.request.status).toBe('launched');
  const got = await h.api('GET', `/v1/runs/${last.body.run.id}`, undefined, people[0]!.token);
  return { people, answer: got.body as { run: any } };
}

describe('receipts of runs with approvals', () => {
  it('verifies the requester’s touch and every approver’s, naming each from the records', async () => {
    const { people, answer } = await launched();
    const verdict = await verifyReceipt(answer, records);
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.approvals!.map((x) => [x.by.userName, x.requester])).toEqual([
      [people[0]!.name, true],
      [people[1]!.name, false],
      [people[2]!.name, false],
    ]);
  });

  it('refuses a changed approval: signature, another request’s approval, one person twice, a forged requester entry', async () => {
    const { answer } = await launched();
    const { answer: other } = await launched();

    const badSig = copy(answer);
    const sig = Buffer.from(badSig.run.approvals[1].receipt.signature, 'base64url');
    sig[sig.length - 1] = sig[sig.length - 1]! ^ 1;
    badSig.run.approvals[1].receipt.signature = sig.toString('base64url');
    expect(await verifyReceipt(badSig, records)).toMatchObject({ ok: false, problem: expect.stringMatching(/bad_signature|signature_not_der/) });

    // An approval genuinely signed, but for another run's request, moved into this run.
    const moved = copy(answer);
    moved.run.approvals[2] = copy(other.run.approvals[2]);
    expect(await verifyReceipt(moved, records)).toMatchObject({ ok: false, problem: 'approval_other_request' });

    const twice = copy(answer);
    twice.run.approvals[2] = copy(twice.run.approvals[1]);
    expect(await verifyReceipt(twice, records)).toMatchObject({ ok: false, problem: 'approval_repeated' });

    // The decision intent edited to name this run's hash still fails: its challenge was derived from the original.
    const renamed = copy(answer);
    const intent = JSON.parse(other.run.approvals[1].intent);
    intent.requestHash = answer.run.intentHash;
    intent.requestId = answer.run.requestId;
    renamed.run.approvals[1] = { ...copy(other.run.approvals[1]), intent: canonicalJson(intent) };
    const verdict = await verifyReceipt(renamed, records);
    expect(verdict).toMatchObject({ ok: false });
    expect(['challenge_mismatch', 'run_disagrees', 'key_not_allowed']).toContain((verdict as any).problem);

    const fakeRequester = copy(answer);
    fakeRequester.run.approvals[0].receipt = copy(other.run.receipt);
    expect(await verifyReceipt(fakeRequester, records)).toMatchObject({ ok: false, problem: 'run_disagrees' });
  });

  it('a proposed run verifies from its approvers’ touches alone, and its receipt must be the first approval', async () => {
    const { token } = await issueProposer({ store: h.store, clock: h.clock, random: systemRandom }, { name: 'bot', jobs: ['pair'], ttlHours: 1, createdBy: 'test' });
    const made = await h.api('POST', '/v1/proposals', { job: 'pair', params: { message: 'p' }, reason: 'r' }, undefined, { authorization: `Proposer ${token}` });
    const [bob, carol] = [await a.person(), await a.person()];
    await a.decide(bob, made.body.request.id);
    const last = await a.decide(carol, made.body.request.id);
    const answer = (await h.api('GET', `/v1/runs/${last.body.run.id}`, undefined, bob.token)).body;
    const verdict = await verifyReceipt(answer, records);
    expect(verdict).toMatchObject({ ok: true, by: { userName: bob.name }, approved: { job: 'pair', params: { message: 'p' } } });
    expect((verdict as any).approvals.map((x: any) => x.by.userName)).toEqual([bob.name, carol.name]);
    // The proposer as the signed intent names it (its token id), with the run record's name and reason.
    expect(verdict).toMatchObject({ proposedBy: { id: made.body.request.requester.id.replace(/^proposer:/, ''), name: 'bot', reason: 'r' } });

    const swapped = copy(answer);
    swapped.run.receipt = copy(answer.run.approvals[1].receipt);
    expect(await verifyReceipt(swapped, records)).toMatchObject({ ok: false, problem: 'run_disagrees' });
    const none = copy(answer);
    none.run.approvals = [];
    expect(await verifyReceipt(none, records)).toMatchObject({ ok: false, problem: 'receipt_incomplete' });
    const otherParams = copy(answer);
    otherParams.run.params = { message: 'q' };
    expect(await verifyReceipt(otherParams, records)).toMatchObject({ ok: false, problem: 'run_disagrees' });
  });
});
