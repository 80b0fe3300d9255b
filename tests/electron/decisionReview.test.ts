import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewText, type ApprovalReview } from '../../electron/main/approvalReview';
import { startHarness, type Harness } from '../support/harness';
import { unlockedDesktop } from '../support/unlockedDesktop';
import { approvalHelpers, approvalJobs, type Person } from '../support/approvals';
import type { Run } from '../../backend/core/model';

/**
 * Issue 16 §1 on main's side, over main's real handlers and a real verifier over HTTP with real WebAuthn
 * payloads: a decision on someone else's request is shown in main's own review (requester, job, every
 * parameter as it will run, approvals so far, the fingerprint) before its options reach the renderer, and
 * the touch is forwarded only for the reviewed decision on the reviewed request.
 */
let h: Harness;
let ap: ReturnType<typeof approvalHelpers>;
beforeAll(async () => {
  h = await startHarness({ jobs: approvalJobs });
  ap = approvalHelpers(h);
});
afterAll(() => h?.close());

async function desktopFor(p: Person) {
  const shown: ApprovalReview[] = [];
  const person = { answers: [] as boolean[] };
  const started: Run[] = [];
  const handlers = await unlockedDesktop({ h, user: p, ask: async (review) => (shown.push(review), person.answers.shift() ?? false), more: { runStarted: (run) => started.push(run) } });
  return { handlers, shown, person, started };
}

describe('the trusted review of a decision on a pending request', () => {
  it('lists what waits; the review names requester, job, every parameter, approvals so far and the fingerprint; accepted, the touch launches the run', async () => {
    const ada = await ap.person();
    const bob = await ap.person();
    const { request } = await ap.request(ada, 'pair', 'ship it');
    const { handlers, shown, person, started } = await desktopFor(bob);

    const lists = await handlers.listRequests();
    expect(lists).toMatchObject({ ok: true });
    if (!lists.ok) return;
    expect(lists.value.waiting.map((r) => r.id)).toContain(request.id);
    expect(lists.value.waiting.find((r) => r.id === request.id)!.fingerprint).toBe(request.fingerprint);

    person.answers.push(true);
    const o = await handlers.startDecision({ requestId: request.id, decision: 'approve' });
    expect(o).toMatchObject({ ok: true, value: { fingerprint: request.fingerprint } });
    if (!o.ok) return;
    const review = shown.at(-1)!;
    expect(review.purpose).toBe('approve');
    const text = reviewText(review, h.clock.now());
    expect(text.message).toBe(`Approve ${ada.name}’s run of Two-person pair (pair)?`);
    expect(text.detail).toContain(`Requested by: ${ada.name}`);
    expect(text.detail).toContain('message: "ship it"');
    expect(text.detail).toContain(`Approved so far: ${ada.name}`);
    expect(text.detail).toContain('Still needed, counting you: 1 more person');
    expect(text.detail).toContain(`Request: ${request.id}`);
    expect(text.detail).toContain(`Fingerprint: ${request.fingerprint}`);

    const launchesBefore = ap.launches();
    const done = await handlers.finishDecision({ requestId: request.id, decision: 'approve', intentId: o.value.intentId, assertion: bob.authenticator.assert(o.value.options) });
    expect(done).toMatchObject({ ok: true, value: { request: { id: request.id, status: 'launched' }, run: { requestId: request.id, userName: ada.name } } });
    expect(ap.launches()).toBe(launchesBefore + 1);
    // The run this touch launched is watched like one this desktop confirmed: its end is announced here too.
    expect(started.map((r) => r.id)).toEqual([done.ok ? done.value.run!.id : 'none']);
    // Used once: the same acceptance sends nothing again.
    expect(await handlers.finishDecision({ requestId: request.id, decision: 'approve', intentId: o.value.intentId, assertion: bob.authenticator.assert(o.value.options) })).toMatchObject({
      ok: false,
      error: { code: 'approval_not_accepted' },
    });
  });

  it('a renderer that asks to approve request B after the person reviewed A is refused in main: nothing is sent, B is untouched', async () => {
    const ada = await ap.person();
    const bob = await ap.person();
    const a = (await ap.request(ada, 'two-others', 'A')).request;
    const b = (await ap.request(ada, 'two-others', 'B')).request;
    const { handlers, person } = await desktopFor(bob);

    person.answers.push(true);
    const reviewed = await handlers.startDecision({ requestId: a.id, decision: 'approve' });
    if (!reviewed.ok) throw new Error(JSON.stringify(reviewed));
    // The reviewed intent, aimed at B.
    expect(await handlers.finishDecision({ requestId: b.id, decision: 'approve', intentId: reviewed.value.intentId, assertion: bob.authenticator.assert(reviewed.value.options) })).toMatchObject({
      ok: false,
      error: { code: 'approval_not_accepted' },
    });
    // B's own options, fetched behind main's back (a compromised renderer with the session), then confirmed.
    const behind = await ap.options(bob, b.id);
    expect(behind.status).toBe(200);
    expect(await handlers.finishDecision({ requestId: b.id, decision: 'approve', intentId: behind.body.intentId, assertion: bob.authenticator.assert(behind.body.options) })).toMatchObject({
      ok: false,
      error: { code: 'approval_not_accepted' },
    });
    expect((await ap.stored(b.id)).approvals).toEqual([]);
    // The reviewed approval of A still goes to A, once.
    const done = await handlers.finishDecision({ requestId: a.id, decision: 'approve', intentId: reviewed.value.intentId, assertion: bob.authenticator.assert(reviewed.value.options) });
    expect(done).toMatchObject({ ok: true, value: { request: { id: a.id, status: 'pending', approvals: [{ userName: bob.name }] } } });
    expect((await ap.stored(b.id)).approvals).toEqual([]);
  });

  it('an accepted approval cannot be sent as a rejection (nor a run approval as either); a declined review hands out no options', async () => {
    const ada = await ap.person();
    const bob = await ap.person();
    const { request } = await ap.request(ada, 'two-others');
    const { handlers, shown, person } = await desktopFor(bob);

    person.answers.push(true);
    const approve = await handlers.startDecision({ requestId: request.id, decision: 'approve' });
    if (!approve.ok) throw new Error(JSON.stringify(approve));
    expect(await handlers.finishDecision({ requestId: request.id, decision: 'reject', intentId: approve.value.intentId, assertion: bob.authenticator.assert(approve.value.options) })).toMatchObject({
      ok: false,
      error: { code: 'approval_not_accepted' },
    });

    person.answers.push(true);
    const prep = await handlers.prepareRun({ job: 'echo', params: { message: 'x' } });
    if (!prep.ok) throw new Error(JSON.stringify(prep));
    expect(await handlers.finishDecision({ requestId: request.id, decision: 'approve', intentId: prep.value.intentId, assertion: bob.authenticator.assert(prep.value.options) })).toMatchObject({
      ok: false,
      error: { code: 'approval_not_accepted' },
    });

    person.answers.push(false);
    expect(await handlers.startDecision({ requestId: request.id, decision: 'reject' })).toMatchObject({ ok: false, error: { code: 'approval_declined' } });
    expect(shown.at(-1)).toMatchObject({ purpose: 'reject', title: `Reject ${ada.name}’s run of Two-person two-others (two-others)?` });
    expect((await ap.stored(request.id)).status).toBe('pending');
  });

  it('a reviewed rejection ends the request, with who rejected it', async () => {
    const ada = await ap.person();
    const bob = await ap.person();
    const { request } = await ap.request(ada, 'pair');
    const { handlers, person } = await desktopFor(bob);
    person.answers.push(true);
    const o = await handlers.startDecision({ requestId: request.id, decision: 'reject' });
    if (!o.ok) throw new Error(JSON.stringify(o));
    const launchesBefore = ap.launches();
    const done = await handlers.finishDecision({ requestId: request.id, decision: 'reject', intentId: o.value.intentId, assertion: bob.authenticator.assert(o.value.options) });
    expect(done).toMatchObject({ ok: true, value: { request: { status: 'rejected', rejectedBy: { userName: bob.name } } } });
    expect(ap.launches()).toBe(launchesBefore);
  });

  it('reading the requests (main’s watcher, the list, the requester’s panel) never pushes back the idle lock', async () => {
    const ada = await ap.person();
    const { request } = await ap.request(ada, 'pair');
    const { handlers } = await desktopFor(ada);
    const lockAt = async () => ((await handlers.status()) as { ok: true; value: { session: { idleLockAt: number } } }).value.session.idleLockAt;
    const before = await lockAt();
    h.clock.advance(60_000);
    expect(await handlers.listRequests()).toMatchObject({ ok: true, value: { mine: [{ id: request.id }] } });
    expect(await handlers.getRequest({ requestId: request.id })).toMatchObject({ ok: true, value: { request: { id: request.id, status: 'pending' } } });
    expect(await lockAt()).toBe(before);
  });
});
