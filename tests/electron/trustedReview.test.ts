import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovalGate } from '../../electron/main/approvalGate';
import { reviewText, runReview, type ApprovalReview } from '../../electron/main/approvalReview';
import { APPROVE_BUTTON, SHOW_ALL_BUTTON, createApprovalDialog } from '../../electron/main/policies/approvalDialog';
import { ORIGIN, startHarness, type Harness } from '../support/harness';
import { unlockedDesktop } from '../support/unlockedDesktop';
import { SoftAuthenticator } from '../support/softAuthenticator';

/**
 * Issue 10 §2, over main's real handlers, a real verifier over HTTP and real WebAuthn payloads, with
 * the native dialog faked: options reach the renderer only after the person accepted main's review,
 * and a confirmation goes out only for the intent that was shown and accepted.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

async function desktopFor(user: { name: string; authenticator: SoftAuthenticator }) {
  const shown: ApprovalReview[] = [];
  const person = { answers: [] as boolean[] };
  const handlers = await unlockedDesktop({ h, user, ask: async (review) => (shown.push(review), person.answers.shift() ?? false) });
  return { handlers, shown, person };
}

describe('the trusted review of a run', () => {
  it('shows what the verifier prepared, labelled, and releases the options only when accepted; the run then launches', async () => {
    const user = await h.enroll();
    const { handlers, shown, person } = await desktopFor(user);
    person.answers.push(true);
    const prep = await handlers.prepareRun({ job: 'echo', params: { message: 'hi there', count: 2 } });
    expect(prep.ok).toBe(true);
    if (!prep.ok) return;
    expect(shown).toHaveLength(1);
    const text = reviewText(shown[0]!, h.clock.now());
    expect(text.message).toBe('Run Echo parameters (echo)?');
    expect(text.detail).toContain('message: "hi there"');
    expect(text.detail).toContain('count: 2');
    expect(text.detail).toMatch(/Runs: local: .* "hi there" 2/); // the target with the parameters filled in
    expect(text.detail).toContain('Secrets sent with it: none');
    expect(text.detail).toContain(`Fingerprint: ${prep.value.fingerprint}`);
    expect(text.detail).toMatch(/Time left: \d+ s/);

    const before = h.launcher.launches.length;
    const confirmed = await handlers.confirmRun({ intentId: prep.value.intentId, assertion: user.authenticator.assert(prep.value.options), secrets: {} });
    expect(confirmed).toMatchObject({ ok: true, value: { run: { job: 'echo' } } });
    expect(h.launcher.launches.length).toBe(before + 1);
  });

  it('names secrets by label, never by value', async () => {
    const user = await h.enroll();
    const { handlers, shown, person } = await desktopFor(user);
    person.answers.push(false);
    await handlers.prepareRun({ job: 'with-secret', params: { target: 'staging' } });
    expect(reviewText(shown[0]!, h.clock.now()).detail).toContain('Secrets sent with it: token');
  });

  it('declined: nothing released, and nothing can be confirmed', async () => {
    const user = await h.enroll();
    const { handlers, person } = await desktopFor(user);
    person.answers.push(false);
    const prep = await handlers.prepareRun({ job: 'echo', params: { message: 'no' } });
    expect(prep).toEqual({ ok: false, error: { code: 'approval_declined', message: expect.any(String) } });
    expect(JSON.stringify(prep)).not.toContain('challenge');
  });

  it('a renderer that confirms an intent it was never shown (prepared behind main’s back) is refused, and nothing launches', async () => {
    const user = await h.enroll();
    const { handlers } = await desktopFor(user);
    // The compromised renderer cannot reach the verifier itself (no network); the best it can do is
    // learn an intent id some other way and ask main to confirm it. Here it is prepared directly.
    const token = await h.session(user);
    const b = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'B' } }, token);
    const before = h.launcher.launches.length;
    const r = await handlers.confirmRun({ intentId: b.body.intentId, assertion: user.authenticator.assert(b.body.options), secrets: {} });
    expect(r).toMatchObject({ ok: false, error: { code: 'approval_not_accepted' } });
    expect(h.launcher.launches.length).toBe(before);
  });

  it('confirming intent A after the person accepted B is refused, nothing launches, and B still can', async () => {
    const user = await h.enroll();
    const { handlers, person } = await desktopFor(user);
    const token = await h.session(user);
    const a = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'A: what the attacker wants' } }, token);
    person.answers.push(true);
    const b = await handlers.prepareRun({ job: 'echo', params: { message: 'B: what the person saw' } });
    if (!b.ok) throw new Error(JSON.stringify(b));
    const before = h.launcher.launches.length;
    const refused = await handlers.confirmRun({ intentId: a.body.intentId, assertion: user.authenticator.assert(a.body.options), secrets: {} });
    expect(refused).toMatchObject({ ok: false, error: { code: 'approval_not_accepted' } });
    expect(h.launcher.launches.length).toBe(before);
    const ok = await handlers.confirmRun({ intentId: b.value.intentId, assertion: user.authenticator.assert(b.value.options), secrets: {} });
    expect(ok.ok).toBe(true);
    expect(h.launcher.launches.at(-1)?.params).toMatchObject({ message: 'B: what the person saw' });
  });

  it('accepting B does not let the renderer confirm an earlier accepted A, and an acceptance is used once', async () => {
    const user = await h.enroll();
    const { handlers, person } = await desktopFor(user);
    person.answers.push(true, true);
    const a = await handlers.prepareRun({ job: 'echo', params: { message: 'A' } });
    const b = await handlers.prepareRun({ job: 'echo', params: { message: 'B' } });
    if (!a.ok || !b.ok) throw new Error('prepare failed');
    const before = h.launcher.launches.length;
    const confirmA = await handlers.confirmRun({ intentId: a.value.intentId, assertion: user.authenticator.assert(a.value.options), secrets: {} });
    expect(confirmA).toMatchObject({ ok: false, error: { code: 'approval_not_accepted' } });
    expect(h.launcher.launches.length).toBe(before);
    expect((await handlers.confirmRun({ intentId: b.value.intentId, assertion: user.authenticator.assert(b.value.options), secrets: {} })).ok).toBe(true);
    const again = await handlers.confirmRun({ intentId: b.value.intentId, assertion: user.authenticator.assert(b.value.options), secrets: {} });
    expect(again).toMatchObject({ ok: false, error: { code: 'approval_not_accepted' } });
  });

  it('an acceptance given after the request expired releases nothing', async () => {
    const gate = createApprovalGate({ ask: async (r) => (h.clock.advance(r.expiresAt - h.clock.now() + 1), true), now: () => h.clock.now() });
    const review: ApprovalReview = { purpose: 'run', intentId: 'int_x', title: 't', facts: [], fingerprint: 'AAAA-BBBB', expiresAt: h.clock.now() + 1000 };
    expect(await gate.review(review)).toBe('expired');
    expect(gate.take('run', 'int_x')).toBe(false);
  });
});

describe('the trusted review of key changes', () => {
  it('revoking a key names it; declined releases nothing, and a revoke confirmation without acceptance is not sent', async () => {
    const user = await h.enroll();
    const { handlers, shown, person } = await desktopFor(user);
    const keys = await handlers.listKeys();
    if (!keys.ok) throw new Error('no keys');
    person.answers.push(false);
    const declined = await handlers.startRevokeKey({ credentialId: keys.value.keys[0]!.id, allowLastKey: true });
    expect(declined).toMatchObject({ ok: false, error: { code: 'approval_declined' } });
    expect(shown[0]!.title).toBe('Revoke the key “primary”?');
    const token = await h.session(user);
    const behind = await h.api('POST', '/v1/keys/revoke/options', { credentialId: keys.value.keys[0]!.id, allowLastKey: true }, token);
    const r = await handlers.finishRevokeKey({ intentId: behind.body.intentId, assertion: user.authenticator.assert(behind.body.approval) });
    expect(r).toMatchObject({ ok: false, error: { code: 'approval_not_accepted' } });
    expect((await h.store.getUserWithCredentials(user.userId))!.credentials[0]!.revokedAt).toBeUndefined();
  });

  it('adding a key is reviewed too: main names the registered key, and its approval is held until accepted', async () => {
    const user = await h.enroll();
    const { handlers, shown, person } = await desktopFor(user);
    const started = await handlers.startAddKey();
    if (!started.ok) throw new Error(JSON.stringify(started.error));
    const registration = new SoftAuthenticator(ORIGIN).register(started.value.registration);
    person.answers.push(false);
    expect(await handlers.approveNewKey({ intentId: started.value.intentId, registration, label: 'backup' })).toMatchObject({ ok: false, error: { code: 'approval_declined' } });
    expect(shown[0]).toMatchObject({ purpose: 'add_key', title: `Add a security key to ${user.name}?` });
    expect(reviewText(shown[0]!, h.clock.now()).detail).toContain(`New key: backup (${registration.id.slice(0, 12)}…)`);
  });

  it('an admin action is reviewed by main in its own words, and its verify is sent only once accepted', async () => {
    const admin = await h.enroll({ role: 'admin' });
    const { handlers, shown, person } = await desktopFor(admin);
    const name = h.newName('invitee');
    person.answers.push(false);
    expect(await handlers.startAdminAction({ action: { kind: 'invite', userName: name, role: 'operator', groups: ['sre'], ttlHours: 24 } })).toMatchObject({ ok: false, error: { code: 'approval_declined' } });
    const text = reviewText(shown[0]!, h.clock.now());
    expect(shown[0]!.purpose).toBe('admin');
    expect(text.message).toBe(`Admin: Invite ${name} as operator?`);
    expect(text.detail).toContain('Groups: sre');
    const token = await h.session(admin);
    const behind = await h.api('POST', '/v1/admin/options', { action: { kind: 'invite', userName: name } }, token);
    expect(await handlers.finishAdminAction({ intentId: behind.body.intentId, assertion: admin.authenticator.assert(behind.body.options) })).toMatchObject({ ok: false, error: { code: 'approval_not_accepted' } });
    person.answers.push(true);
    const started = await handlers.startAdminAction({ action: { kind: 'invite', userName: name, role: 'operator', groups: [], ttlHours: 1 } });
    if (!started.ok) throw new Error(JSON.stringify(started.error));
    const done = await handlers.finishAdminAction({ intentId: started.value.intentId, assertion: admin.authenticator.assert(started.value.options) });
    expect(done).toMatchObject({ ok: true, value: { kind: 'invite', invite: { userName: name } } });
  });
});

describe('the review’s text', () => {
  const prep = (target: string) =>
    ({ intentId: 'int_1', options: {}, fingerprint: 'AAAA-BBBB', expiresAt: 60_000, job: { name: 'deploy', title: 'Deploy', type: 'local', target }, params: { env: 'prod', n: 2 }, secretParams: ['token'], labels: { env: 'Environment', n: 'n', token: 'Access token' } }) as never;

  it('names parameters by label with the name in brackets, and says what the fingerprint is for', () => {
    const { detail } = reviewText(runReview(prep('local: deploy.sh prod')), 0);
    expect(detail).toContain('Environment (env): "prod"');
    expect(detail).toContain('\nn: 2');
    expect(detail).toContain('Secrets sent with it: Access token (token)');
    expect(detail).toContain('Fingerprint: AAAA-BBBB\nThe same code appears in keylaunch’s window while your key blinks, and on the run record.');
  });

  it('a long target is shortened, its start and end kept, and "Show all" shows the same review whole before any answer', async () => {
    const script = `local: node -e "${'x'.repeat(600)}" END-OF-IT`;
    const review = runReview(prep(script));
    expect(reviewText(review, 0).detail).not.toContain(script);
    expect(reviewText(review, 0).detail).toMatch(/Runs: local: node -e "x+ … \[\d+ more characters: “Show all” shows them\] … x+" END-OF-IT/);
    expect(reviewText(review, 0, { full: true }).detail).toContain(`Runs: ${script}`);
    const seen: { detail: string; buttons: string[] }[] = [];
    const answers = [SHOW_ALL_BUTTON, APPROVE_BUTTON];
    const approved = await createApprovalDialog({ show: async (o) => (seen.push(o), { response: answers.shift()! }), now: () => 0 })(review);
    expect(approved).toBe(true);
    expect(seen.map((s) => s.buttons.length)).toEqual([3, 2]);
    expect(seen[1]!.detail).toContain(script);
  });
});

describe('the native dialog', () => {
  it('declines by default (Enter and Escape), and approves only on the approve button', async () => {
    const review: ApprovalReview = { purpose: 'run', intentId: 'int_1', title: 'Run X (x)?', facts: [{ label: 'Job', value: 'X' }], fingerprint: 'AAAA-BBBB', expiresAt: 60_000 };
    const seen: unknown[] = [];
    const answer = (response: number) => createApprovalDialog({ show: async (o) => (seen.push(o), { response }), now: () => 0 });
    expect(await answer(0)(review)).toBe(true);
    expect(await answer(1)(review)).toBe(false);
    expect(seen[0]).toMatchObject({ type: 'question', message: 'Run X (x)?', defaultId: 1, cancelId: 1, noLink: true });
    expect((seen[0] as { detail: string }).detail).toContain('Fingerprint: AAAA-BBBB');
    expect((seen[0] as { detail: string }).detail).toContain('Time left: 60 s');
  });
});
