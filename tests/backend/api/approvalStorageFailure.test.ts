import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';
import { approvalHelpers, approvalJobs } from '../../support/approvals';
import type { Store } from '../../../backend/core/ports';

/** A DynamoDB-style failure (it carries $metadata, as SDK errors do). */
const outage = () => Object.assign(new Error('ServiceUnavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });

let h: Harness;
let a: ReturnType<typeof approvalHelpers>;
let failRunWrites = false;
beforeAll(async () => {
  h = await startHarness({ jobs: approvalJobs, store: (s: Store): Store => ({ ...s, createRun: async (run) => (failRunWrites ? Promise.reject(outage()) : s.createRun(run)) }) });
  a = approvalHelpers(h);
});
afterAll(() => h.close());

describe('a request whose run cannot be recorded at its last approval (issue 16)', () => {
  it('does not say it launched a run that does not exist: it ends, saying nothing was launched', async () => {
    const [req, bob] = [await a.person(), await a.person()];
    const { request } = await a.request(req, 'pair');
    const before = a.launches();
    failRunWrites = true;
    let res;
    try {
      res = await a.decide(bob, request.id);
    } finally {
      failRunWrites = false;
    }
    expect([res.status, res.body.error.code]).toEqual([503, 'storage_unavailable']);
    expect(a.launches()).toBe(before);
    const seen = (await h.api('GET', `/v1/requests/${request.id}`, undefined, req.token)).body.request;
    expect(seen.status).not.toBe('launched');
    expect(seen).toMatchObject({ status: 'ended', end: { code: 'storage_unavailable' } });
    expect(seen.runId).toBeUndefined();
    // The other way: asked again, with storage back, it launches.
    const { request: again } = await a.request(req, 'pair');
    expect((await a.decide(bob, again.id)).body.request.status).toBe('launched');
  });
});
