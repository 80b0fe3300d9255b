import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewText, type ApprovalReview } from '../../electron/main/approvalReview';
import { startHarness, type Harness } from '../support/harness';
import { unlockedDesktop } from '../support/unlockedDesktop';
import { gatedJob } from '../support/gatedJob';
import { sampleJobs } from '../support/sampleJobs';
import type { SoftAuthenticator } from '../support/softAuthenticator';
import type { Run } from '../../backend/core/model';

/**
 * Issue 12 §4 on main's side, over main's real handlers and a real verifier over HTTP with real WebAuthn
 * payloads: a cancel is shown in main's own review (which run, which job, whose, the fingerprint) before
 * its options reach the renderer, and it is sent only for the intent shown and accepted, to the run that
 * review was about.
 */
const gated = gatedJob('gated');
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ jobs: [...sampleJobs, gated.job] });
});
afterAll(() => h?.close());

async function desktopFor(user: { name: string; authenticator: SoftAuthenticator }) {
  const shown: ApprovalReview[] = [];
  const person = { answers: [] as boolean[] };
  const started: Run[] = [];
  const handlers = await unlockedDesktop({ h, user, ask: async (review) => (shown.push(review), person.answers.shift() ?? false), more: { runStarted: (run) => started.push(run) } });
  /** A gated run, launched through the same handlers (review accepted, touch). */
  const launch = async () => {
    person.answers.push(true);
    const prep = await handlers.prepareRun({ job: 'gated', params: {} });
    if (!prep.ok) throw new Error(JSON.stringify(prep));
    const r = await handlers.confirmRun({ intentId: prep.value.intentId, assertion: user.authenticator.assert(prep.value.options), secrets: {} });
    if (!r.ok || !('run' in r.value)) throw new Error(JSON.stringify(r));
    return r.value.run;
  };
  return { handlers, shown, person, launch, started };
}

describe('the trusted review of a cancel', () => {
  it('names the run, its job, who started it and the fingerprint; accepted, the touch stops that run', async () => {
    const user = await h.enroll();
    const { handlers, shown, person, launch, started } = await desktopFor(user);
    const run = await launch();
    expect(run.status).toBe('running');
    expect(started.map((r) => r.id)).toEqual([run.id]); // main watches what it launched (notifications)

    person.answers.push(true);
    const o = await handlers.startCancelRun({ runId: run.id });
    expect(o.ok).toBe(true);
    if (!o.ok) return;
    const review = shown.at(-1)!;
    expect(review.purpose).toBe('cancel');
    const text = reviewText(review, h.clock.now());
    expect(text.message).toBe('Stop the running gated run?');
    expect(text.detail).toContain('Job: Runs until released (gated)');
    expect(text.detail).toContain(`Run: ${run.id}`);
    expect(text.detail).toContain(`Run fingerprint: ${run.fingerprint}`);
    expect(text.detail).toContain(`Started by: ${user.name}`);
    expect(text.detail).toContain(`Fingerprint: ${o.value.fingerprint}`);

    const cancelsBefore = h.launcher.cancels.length;
    const done = await handlers.finishCancelRun({ intentId: o.value.intentId, assertion: user.authenticator.assert(o.value.options) });
    expect(done).toMatchObject({ ok: true, value: { run: { id: run.id, status: 'cancelled', cancelledBy: { userName: user.name } } } });
    expect(h.launcher.cancels.slice(cancelsBefore)).toEqual([expect.objectContaining({ runId: run.id })]);
  });

  it('declined: no options, nothing sent; a cancel intent main never showed is refused and the run keeps running', async () => {
    const user = await h.enroll();
    const { handlers, person, launch } = await desktopFor(user);
    const run = await launch();
    person.answers.push(false);
    expect(await handlers.startCancelRun({ runId: run.id })).toMatchObject({ ok: false, error: { code: 'approval_declined' } });

    // A compromised renderer asks the verifier for cancel options itself (behind main's back) and confirms them.
    const behind = await h.api('POST', `/v1/runs/${run.id}/cancel/options`, {}, await h.session(user));
    expect(behind.status).toBe(200);
    const cancelsBefore = h.launcher.cancels.length;
    const r = await handlers.finishCancelRun({ intentId: behind.body.intentId, assertion: user.authenticator.assert(behind.body.options) });
    expect(r).toMatchObject({ ok: false, error: { code: 'approval_not_accepted' } });
    expect(h.launcher.cancels.length).toBe(cancelsBefore);
    expect((await h.store.getRun(run.id))!.status).toBe('running');
    gated.release(run.id);
  });

  it('an accepted run approval cannot be spent as a cancel, nor an accepted cancel of one run stop another', async () => {
    const user = await h.enroll();
    const { handlers, person, launch } = await desktopFor(user);
    const a = await launch();
    const b = await launch();
    person.answers.push(true);
    const prep = await handlers.prepareRun({ job: 'gated', params: {} });
    if (!prep.ok) throw new Error('prepare');
    expect(await handlers.finishCancelRun({ intentId: prep.value.intentId, assertion: user.authenticator.assert(prep.value.options) })).toMatchObject({ ok: false, error: { code: 'approval_not_accepted' } });

    // Accept a cancel of A; the confirmation goes to A's route, whatever else the renderer knows.
    person.answers.push(true);
    const o = await handlers.startCancelRun({ runId: a.id });
    if (!o.ok) throw new Error('cancel options');
    const done = await handlers.finishCancelRun({ intentId: o.value.intentId, assertion: user.authenticator.assert(o.value.options) });
    expect(done).toMatchObject({ ok: true, value: { run: { id: a.id, status: 'cancelled' } } });
    expect((await h.store.getRun(b.id))!.status).toBe('running');
    // Used once: the same acceptance sends nothing again.
    expect(await handlers.finishCancelRun({ intentId: o.value.intentId, assertion: user.authenticator.assert(o.value.options) })).toMatchObject({ ok: false, error: { code: 'approval_not_accepted' } });
    gated.release(b.id);
  });
});

describe('following a run through main', () => {
  it('polling its record and output reads the real output in order and never pushes back the idle lock', async () => {
    const user = await h.enroll();
    const { handlers, launch } = await desktopFor(user);
    const run = await launch();
    const lockAt = async () => ((await handlers.status()) as { ok: true; value: { session: { idleLockAt: number } } }).value.session.idleLockAt;
    const before = await lockAt();
    h.clock.advance(60_000);
    gated.release(run.id);
    let page = await handlers.runOutput({ runId: run.id, limit: 100 });
    const seen: string[] = [];
    for (let i = 0; i < 400 && page.ok; i++) {
      seen.push(...page.value.lines.map((l) => l.text));
      if (page.value.done) break;
      await new Promise((r) => setTimeout(r, 25));
      await handlers.getRun({ runId: run.id });
      page = await handlers.runOutput({ runId: run.id, ...(page.value.cursor ? { cursor: page.value.cursor } : {}), limit: 100 });
    }
    expect(page).toMatchObject({ ok: true, value: { done: true } });
    expect(seen).toEqual(['started', 'done']);
    expect(await lockAt()).toBe(before);
  });
});
