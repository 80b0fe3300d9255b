import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';
import type { Store } from '../../../backend/core/ports';

/** A DynamoDB-style failure (it carries $metadata, as SDK errors do). */
const outage = () => Object.assign(new Error('ServiceUnavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });

let h: Harness;
let failRunWrites = false;
let failClaim = false;
let failAudit = false;
beforeAll(async () => {
  h = await startHarness({
    store: (s: Store): Store => ({
      ...s,
      createRun: async (run) => (failRunWrites ? Promise.reject(outage()) : s.createRun(run)),
      reserveRun: async (intentId, runId) => (failClaim ? Promise.reject(outage()) : s.reserveRun(intentId, runId)),
      appendAudit: async (entry) => (failAudit ? Promise.reject(outage()) : s.appendAudit(entry)),
    }),
  });
});
afterAll(() => h.close());

describe('nothing lost: storage failures', () => {
  it('a storage failure before the launch launches nothing and says so (storage_unavailable)', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    const prep = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'x' } }, token);
    failRunWrites = true;
    try {
      const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: user.authenticator.assert(prep.body.options) }, token);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('storage_unavailable');
      expect(h.launcher.launches).toHaveLength(0);
      const [entry] = await h.auditEntries(1);
      expect(entry).toMatchObject({ action: 'run.confirm', outcome: 'failed', code: 'storage_unavailable' });
    } finally {
      failRunWrites = false;
    }
  });

  it('an audit write that fails does not undo an answer already decided', async () => {
    const user = await h.enroll();
    failAudit = true;
    try {
      const res = await h.unlock(user);
      expect(res.status).toBe(200);
    } finally {
      failAudit = false;
    }
  });

  it('a claim of the intent that fails (one run per intent) launches nothing, and the run written says so', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    const prep = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'x' } }, token);
    const launchesBefore = h.launcher.launches.length;
    failClaim = true;
    try {
      const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: user.authenticator.assert(prep.body.options) }, token);
      expect(res.body.error.code).toBe('storage_unavailable');
      expect(h.launcher.launches).toHaveLength(launchesBefore);
      const [run] = (await h.store.listRuns({ limit: 1 })).items;
      expect(run).toMatchObject({ job: 'echo', status: 'failed', failure: { code: 'storage_unavailable' } });
    } finally {
      failClaim = false;
    }
  });
});
