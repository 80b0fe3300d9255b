import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('the audit log', () => {
  it('is readable by admins, newest first, with accepted and refused decisions', async () => {
    const admin = await h.enroll({ role: 'admin' });
    const token = await h.session(admin);
    await h.api('POST', '/v1/runs/prepare', { job: 'nope', params: {} }, token); // a refusal
    const page = await h.api('GET', '/v1/audit?limit=5', undefined, token);
    expect(page.status).toBe(200);
    // The listing's own entry is written after it answers: the newest here is the refusal.
    const [newest, previous] = page.body.entries;
    expect(newest).toMatchObject({ action: 'run.prepare', outcome: 'refused', code: 'job_unknown', userName: admin.name, job: 'nope' });
    expect(previous).toMatchObject({ action: 'unlock.verify', outcome: 'accepted' });
    expect(newest.at).toBeGreaterThanOrEqual(previous.at);
    const next = await h.api('GET', `/v1/audit?limit=5&cursor=${encodeURIComponent(page.body.cursor)}`, undefined, token);
    expect(next.body.entries.map((e: { id: string }) => e.id)).not.toContain(newest.id);
  });

  it('is refused to operators (not_authorized), and that refusal is itself audited', async () => {
    const operator = await h.enroll();
    const token = await h.session(operator);
    const res = await h.api('GET', '/v1/audit', undefined, token);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('not_authorized');
    const [latest] = await h.auditEntries(1);
    expect(latest).toMatchObject({ action: 'audit.list', outcome: 'refused', code: 'not_authorized', userName: operator.name });
  });
});
