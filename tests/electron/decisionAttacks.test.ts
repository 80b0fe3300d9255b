import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalReview } from '../../electron/main/approvalReview';
import { startHarness, type Harness } from '../support/harness';
import { unlockedDesktop } from '../support/unlockedDesktop';
import { approvalHelpers, approvalJobs, type Person } from '../support/approvals';
import { startTamperingNetwork, type Tamper } from '../support/tamperingNetwork';

/**
 * An attacker's review of issue 16's desktop side (main's handlers over a real verifier over HTTP, with
 * real WebAuthn payloads): what main shows in its review of a decision must hold together, whatever the
 * verifier's answer says, and a touch goes only where the person looked.
 */
let h: Harness;
let ap: ReturnType<typeof approvalHelpers>;
let net: Awaited<ReturnType<typeof startTamperingNetwork>>;
beforeAll(async () => {
  h = await startHarness({ jobs: approvalJobs });
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
