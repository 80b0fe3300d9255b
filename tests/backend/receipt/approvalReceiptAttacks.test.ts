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
});
