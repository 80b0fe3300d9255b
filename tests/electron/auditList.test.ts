import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { unlockedDesktop } from '../support/unlockedDesktop';
import { sampleJobs } from '../support/sampleJobs';

/**
 * The admin's audit view on main's side (issue 14, beyond the anchors): main's real `listAudit` handler
 * over a real verifier over HTTP, unlocked with a real WebAuthn assertion. It reads `GET /v1/audit` with
 * the session: newest first, older pages by the verifier's own cursor, and only for admins.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ jobs: sampleJobs });
});
afterAll(() => h?.close());

const never = async () => false;

describe('listAudit in main', () => {
  it('gives an admin the log newest first, and the older entries by cursor without repeats or gaps', async () => {
    const admin = await h.enroll({ role: 'admin' });
    const desktop = await unlockedDesktop({ h, user: admin, ask: never });
    for (let i = 0; i < 3; i++) await desktop.listJobs(); // accepted, audited entries of this admin
    const stored = (await h.auditEntries(1000)).map((e) => e.id);

    const first = await desktop.listAudit({ limit: 2 });
    if (!first.ok) throw new Error(JSON.stringify(first));
    expect(first.value.entries).toHaveLength(2);
    expect(first.value.cursor).toEqual(expect.any(String));
    const second = await desktop.listAudit({ limit: 2, cursor: first.value.cursor });
    if (!second.ok) throw new Error(JSON.stringify(second));
    const both = [...first.value.entries, ...second.value.entries];
    expect(both.map((e) => e.at)).toEqual([...both.map((e) => e.at)].sort((a, b) => b - a));
    expect(new Set(both.map((e) => e.id)).size).toBe(4);
    // The newest entries the store holds, in its order; the first page has this admin's own reads.
    expect(both.map((e) => e.id)).toEqual(stored.slice(0, 4));
    expect(first.value.entries.some((e) => e.action === 'jobs.list' && e.userName === admin.name && e.outcome === 'accepted')).toBe(true);
  });

  it('refuses an operator with the verifier’s own code, and a bent cursor as bad_request', async () => {
    const operator = await h.enroll();
    const desktop = await unlockedDesktop({ h, user: operator, ask: never });
    const r = await desktop.listAudit({});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('not_authorized');

    const admin = await unlockedDesktop({ h, user: await h.enroll({ role: 'admin' }), ask: never });
    const bent = await admin.listAudit({ cursor: 'not-a-cursor' });
    expect(bent.ok).toBe(false);
    if (!bent.ok) expect(bent.error.code).toBe('bad_request');
  });
});
