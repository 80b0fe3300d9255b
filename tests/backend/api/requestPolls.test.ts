import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';
import { approvalHelpers, approvalJobs } from '../../support/approvals';

/**
 * The desktop polls pending requests while it is unlocked (main's request watcher, the requester's panel;
 * issue 16 §3): each read is audited, and expires like a run-output poll rather than staying forever.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ jobs: approvalJobs });
});
afterAll(() => h?.close());

describe('polled request reads in the audit log', () => {
  it('GET /v1/requests and GET /v1/requests/{id} are audited with an expiry; a decision is kept', async () => {
    const ap = approvalHelpers(h);
    const ada = await ap.person();
    const bob = await ap.person();
    const { request } = await ap.request(ada, 'pair');
    expect((await h.api('GET', '/v1/requests', undefined, bob.token)).status).toBe(200);
    expect((await h.api('GET', `/v1/requests/${request.id}`, undefined, ada.token)).status).toBe(200);
    expect((await ap.decide(bob, request.id)).status).toBe(200);
    const entries = await h.auditEntries(200);
    const list = entries.filter((e) => e.action === 'requests.list' && e.userId === bob.userId);
    const get = entries.filter((e) => e.action === 'request.get' && e.userId === ada.userId);
    expect(list.length).toBe(1);
    expect(get.length).toBe(1);
    expect([...list, ...get].every((e) => e.outcome === 'accepted' && e.expiresAt !== undefined)).toBe(true);
    const decided = entries.filter((e) => e.action === 'request.approve.verify' && e.userId === bob.userId);
    expect(decided).toHaveLength(1);
    expect(decided[0]!.expiresAt).toBeUndefined();
  });
});
