import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';
import { approvalHelpers, approvalJobs, type Person } from '../../support/approvals';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhookReceiver';
import { createNotifier } from '../../../backend/adapters/notify/createNotifier';
import { issueProposer } from '../../../backend/core/proposers';
import { systemRandom } from '../../../backend/createVerifier';

/**
 * Issue 16 §3 through the whole verifier on real HTTP: a real webhook receiver on 127.0.0.1 (local mode's
 * loopback rule) gets each event, signed, with exactly the fields docs/notifications.md lists and
 * nothing of the parameters; a failing or hanging receiver changes no outcome and is logged with its reason.
 */
const SECRET = randomBytes(32);
const PARAM = 'param-value-7c1e'; // a parameter value no notification may carry
const pair = approvalJobs.find((j) => j.name === 'pair')!;
const jobs = [
  ...approvalJobs,
  { ...pair, name: 'pair-team', notify: ['team'] },
  { ...pair, name: 'pair-nowhere', notify: ['nowhere'] },
];

let h: Harness;
let hook: WebhookReceiver;
let help: ReturnType<typeof approvalHelpers>;
const logged: string[] = [];
let ada: Person;
let bob: Person;

beforeAll(async () => {
  hook = await startWebhookReceiver({ secret: SECRET });
  const notifier = createNotifier({
    destinations: { ops: { webhook: `${hook.url}/ops` }, team: { webhook: `${hook.url}/team` } },
    everyEvent: ['ops'],
    mode: 'local',
    webhookSecret: async () => SECRET,
    // Small, so the hanging receiver's case ends soon; nothing below measures it.
    boundMs: 400,
  });
  h = await startHarness({ jobs, notifier, log: (message) => void logged.push(message) });
  help = approvalHelpers(h);
  ada = await help.person();
  bob = await help.person();
});
afterAll(async () => {
  await h?.close();
  await hook?.close();
});
beforeEach(() => {
  hook.behave('ok');
  hook.deliveries.length = 0;
  logged.length = 0;
});

const at = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const id = expect.stringMatching(/^evt_[A-Za-z0-9_-]{16}$/);

describe('outbound notifications (issue 16 §3)', () => {
  it('a request waiting and its run launched: signed bodies with exactly the listed fields, no parameters', async () => {
    const { request } = await help.request(ada, 'pair', PARAM);
    expect(hook.deliveries.map((d) => [d.path, d.body.type])).toEqual([['/ops', 'request.waiting']]);
    const [waiting] = hook.deliveries;
    expect(waiting!.body).toEqual({ v: 1, id, type: 'request.waiting', at, job: 'pair', requestId: request.id, fingerprint: request.fingerprint, requester: ada.name });
    expect(waiting!.signed).toBe(true);
    expect(waiting!.headers).toMatchObject({ 'content-type': 'application/json', 'x-keylaunch-event': 'request.waiting', 'x-keylaunch-delivery': waiting!.body.id });

    const decided = await help.decide(bob, request.id);
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const run = decided.body.run;
    expect(hook.deliveries.map((d) => d.body.type)).toEqual(['request.waiting', 'run.launched']);
    expect(hook.deliveries[1]!.body).toEqual({ v: 1, id, type: 'run.launched', at, job: 'pair', runId: run.id, requestId: request.id, fingerprint: request.fingerprint, requester: ada.name });
    for (const d of hook.deliveries) {
      expect(d.signed).toBe(true);
      expect(d.raw).not.toContain(PARAM);
      expect(d.raw).not.toMatch(/token|secret|https?:/i);
    }
    expect(logged).toEqual([]);
  });

  it('a run launched by one touch, and one that failed to start (with its code only)', async () => {
    const prep = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: PARAM } }, ada.token);
    const ok = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: ada.authenticator.assert(prep.body.options), secrets: {} }, ada.token);
    expect(ok.body.run.status).toBe('running');
    const prep2 = await h.api('POST', '/v1/runs/prepare', { job: 'missing-binary', params: {} }, ada.token);
    const failed = await h.api('POST', '/v1/runs/confirm', { intentId: prep2.body.intentId, assertion: ada.authenticator.assert(prep2.body.options), secrets: {} }, ada.token);
    expect(failed.body.run.status).toBe('failed');
    expect(hook.deliveries.map((d) => d.body)).toEqual([
      { v: 1, id, type: 'run.launched', at, job: 'echo', runId: ok.body.run.id, fingerprint: ok.body.run.fingerprint, requester: ada.name },
      { v: 1, id, type: 'run.failed', at, job: 'missing-binary', runId: failed.body.run.id, fingerprint: failed.body.run.fingerprint, requester: ada.name, code: failed.body.run.failure.code },
    ]);
    expect(JSON.stringify(hook.deliveries.map((d) => d.body))).not.toContain(PARAM);
  });

  it('a local job that ends in failure after it launched is told when it ends, with its code', async () => {
    const prep = await h.api('POST', '/v1/runs/prepare', { job: 'fails', params: {} }, ada.token);
    const confirmed = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: ada.authenticator.assert(prep.body.options), secrets: {} }, ada.token);
    const runId = confirmed.body.run.id;
    await h.ended(runId, ada.token);
    await vi.waitFor(() => expect(hook.deliveries.map((d) => d.body.type)).toEqual(['run.launched', 'run.failed']), { timeout: 10_000, interval: 20 });
    expect(hook.deliveries[1]!.body).toMatchObject({ type: 'run.failed', runId, job: 'fails', code: 'job_failed' });
  });

  it('a key suspended for a counter regression (a possible clone) is told', async () => {
    const dave = await help.person();
    hook.deliveries.length = 0;
    expect((await h.unlock(dave, { counter: 1 })).body.error.code).toBe('counter_regression');
    expect(hook.deliveries.map((d) => d.body)).toEqual([{ v: 1, id, type: 'key.suspended', at, user: dave.name, keyId: dave.credentialId }]);
  });

  it('a proposal waiting names its proposer, and nothing of its parameters or its free-text reason', async () => {
    const { token } = await issueProposer({ store: h.store, clock: h.clock, random: systemRandom }, { name: 'ci-bot', jobs: ['pair'], ttlHours: 1, createdBy: 'test' });
    const made = await h.api('POST', '/v1/proposals', { job: 'pair', params: { message: PARAM }, reason: 'reason-text-42' }, undefined, { authorization: `Proposer ${token}` });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    expect(hook.deliveries.map((d) => d.body)).toEqual([{ v: 1, id, type: 'request.waiting', at, job: 'pair', requestId: made.body.request.id, fingerprint: made.body.request.fingerprint, requester: 'proposer:ci-bot' }]);
    expect(hook.deliveries[0]!.raw).not.toMatch(new RegExp(`${PARAM}|reason-text-42|${token.split('.').pop()}`));
  });

  it('an admin disabling a person and revoking their key: each told, naming the admin', async () => {
    const admin = await help.person({ role: 'admin' });
    const erin = await help.person();
    hook.deliveries.length = 0;
    const act = async (action: Record<string, unknown>) => {
      const options = await h.api('POST', '/v1/admin/options', { action }, admin.token);
      expect(options.status, JSON.stringify(options.body)).toBe(200);
      const res = await h.api('POST', '/v1/admin/verify', { intentId: options.body.intentId, assertion: admin.authenticator.assert(options.body.options) }, admin.token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await act({ kind: 'revoke_key', userName: erin.name, credentialId: erin.credentialId });
    await act({ kind: 'disable', userName: erin.name });
    await act({ kind: 'enable', userName: erin.name }); // not told
    expect(hook.deliveries.map((d) => d.body)).toEqual([
      { v: 1, id, type: 'key.revoked', at, user: erin.name, keyId: erin.credentialId, by: admin.name },
      { v: 1, id, type: 'user.disabled', at, user: erin.name, by: admin.name },
    ]);
  });

  it('a job’s own destinations hear its events besides the global ones; other jobs’ events do not reach them', async () => {
    await help.request(ada, 'pair-team');
    await help.request(ada, 'pair');
    expect(hook.deliveries.map((d) => `${d.path} ${d.body.job}`).sort()).toEqual(['/ops pair', '/ops pair-team', '/team pair-team']);
  });

  it('a job naming a destination the settings lack reaches only the global ones, and the log says so', async () => {
    await help.request(ada, 'pair-nowhere');
    expect(hook.deliveries.map((d) => d.path)).toEqual(['/ops']);
    expect(logged).toEqual(['notify.failed destination=nowhere event=request.waiting reason=unknown_destination']);
  });

  it('a key added and revoked name the person and the key', async () => {
    const carol = await help.person();
    expect(hook.deliveries.map((d) => d.body)).toEqual([{ v: 1, id, type: 'key.added', at, user: carol.name, keyId: carol.credentialId }]);
    await help.secondKey(carol);
    const added = hook.deliveries[1]!.body;
    expect(added).toEqual({ v: 1, id, type: 'key.added', at, user: carol.name, keyId: expect.any(String), fingerprint: expect.stringMatching(/^.{4}-.{4}$/) });
    const token = await h.session(carol);
    const options = await h.api('POST', '/v1/keys/revoke/options', { credentialId: added.keyId }, token);
    const res = await h.api('POST', '/v1/keys/revoke/verify', { intentId: options.body.intentId, assertion: carol.authenticator.assert(options.body.approval) }, token);
    expect(res.status).toBe(200);
    expect(hook.deliveries[2]!.body).toEqual({ v: 1, id, type: 'key.revoked', at, user: carol.name, keyId: added.keyId, fingerprint: options.body.fingerprint });
    expect(hook.deliveries.every((d) => d.signed)).toBe(true);
  });

  it('a receiver answering 500 changes nothing: the request opens, the run launches, the log names the reason', async () => {
    hook.behave('error');
    const { request } = await help.request(ada, 'pair');
    const decided = await help.decide(bob, request.id);
    expect(decided.body.run.status).toBe('running');
    expect(logged).toEqual([
      'notify.failed destination=ops event=request.waiting reason=http_status',
      'notify.failed destination=ops event=run.launched reason=http_status',
    ]);
  });

  it('a hanging receiver is abandoned at the bound: the run still launches and the log says timeout', async () => {
    hook.behave('hang');
    const { request } = await help.request(ada, 'pair');
    const launches = help.launches();
    const decided = await help.decide(bob, request.id);
    expect(decided.status).toBe(200);
    // The echo job may have ended meanwhile: it launched, and did not fail.
    expect(help.launches()).toBe(launches + 1);
    expect(['running', 'succeeded']).toContain(decided.body.run.status);
    expect(logged).toEqual([
      'notify.failed destination=ops event=request.waiting reason=timeout',
      'notify.failed destination=ops event=run.launched reason=timeout',
    ]);
  });

  it('a redirect is not followed: one delivery, logged as an HTTP status', async () => {
    hook.behave('redirect');
    await help.request(ada, 'pair');
    expect(hook.deliveries.map((d) => d.path)).toEqual(['/ops']);
    expect(logged).toEqual(['notify.failed destination=ops event=request.waiting reason=http_status']);
  });
});
