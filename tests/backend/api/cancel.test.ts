import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';
import { MemoryStore } from '../../support/memoryStore';
import { sampleJobs } from '../../support/sampleJobs';
import { gatedJob } from '../../support/gatedJob';
import { KeylaunchError } from '../../../backend/core/errors';
import type { Run } from '../../../backend/core/model';
import type { Launcher } from '../../../backend/core/ports';

/**
 * Issue 12 §4 at the API, with real assertions (softAuthenticator), over dynalite and over the
 * in-memory store: who may cancel, what may be cancelled, that an approval stops exactly one run,
 * and that a cancelled local run stays cancelled when the exit it caused is recorded.
 */
const gated = gatedJob();
const adminGated = { ...gated.job, name: 'gated-admin', allow: { roles: ['admin'] } };
const jobs = [...sampleJobs, gated.job, adminGated];
/** Stand-ins for AWS launchers: one that cannot stop its runs, one whose service refuses the stop. */
const cannotStop: Launcher = { launch: async () => ({ status: 'accepted', details: { launcher: 'lambda', summary: 'accepted' } }) };
const refusesStop: Launcher = {
  launch: async () => ({ status: 'running', details: { launcher: 'ecs-task', summary: 'running' } }),
  cancel: async () => {
    throw new KeylaunchError('cancel_failed', 'AccessDeniedException: not allowed to ecs:StopTask');
  },
};

describe.each([
  ['dynalite', undefined],
  ['the in-memory store', () => new MemoryStore()],
] as const)('cancel with a touch (%s)', (_, store) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ jobs, localLauncher: { killGraceMs: 500 }, launchers: { lambda: cannotStop, 'ecs-task': refusesStop }, ...(store ? { store } : {}) });
  });
  afterAll(() => h?.close());

  async function person(role: 'admin' | 'operator' = 'operator') {
    const user = await h.enroll({ role });
    return { ...user, token: await h.session(user) };
  }
  type Person = Awaited<ReturnType<typeof person>>;
  async function started(who: Person, job = 'gated'): Promise<Run> {
    const prep = await h.api('POST', '/v1/runs/prepare', { job, params: {} }, who.token);
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: who.authenticator.assert(prep.body.options) }, who.token);
    expect(res.body.run.status).toBe('running');
    // Its first line is out: it is running its own code (and a SIGTERM now ends it, not node's start).
    await vi.waitFor(async () => expect((await h.api('GET', `/v1/runs/${res.body.run.id}/output`, undefined, who.token)).body.lines).toHaveLength(1), { timeout: 20_000, interval: 20 });
    return res.body.run;
  }
  const options = (who: Person, runId: string) => h.api('POST', `/v1/runs/${runId}/cancel/options`, {}, who.token);
  async function approved(who: Person, runId: string) {
    const opts = await options(who, runId);
    expect(opts.status).toBe(200);
    return { intentId: opts.body.intentId as string, assertion: who.authenticator.assert(opts.body.options), opts };
  }
  const verify = (who: Person, runId: string, body: { intentId: string; assertion: unknown }) =>
    h.api('POST', `/v1/runs/${runId}/cancel/verify`, { intentId: body.intentId, assertion: body.assertion }, who.token);
  const status = async (runId: string) => (await h.store.getRun(runId))!.status;
  async function finish(run: Run, token: string) {
    gated.release(run.id);
    await h.ended(run.id, token);
  }
  /** A run as an AWS launcher would have left it, for launchers the test stands in for. */
  async function recorded(launcher: string, who: Person, state: Run['status'] = 'running'): Promise<Run> {
    const model = await started(who);
    await finish(model, who.token);
    const run: Run = { ...(await h.store.getRun(model.id))!, id: `run_${launcher}${Date.now()}`, status: state, launch: { launcher, summary: 'running', consoleUrl: 'https://console.aws.amazon.com/x' } };
    delete run.endedAt;
    await h.store.createRun(run);
    return run;
  }

  it('a person allowed to run the job stops a running run: cancelled, saying who; the exit it caused keeps it cancelled; audited', async () => {
    const alice = await person();
    const bob = await person();
    const run = await started(alice);
    const before = h.launcher.cancels.length;
    const { intentId, assertion, opts } = await approved(bob, run.id);
    expect(opts.body).toMatchObject({
      fingerprint: expect.stringMatching(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/),
      run: { id: run.id, job: 'gated', status: 'running', userName: alice.name, fingerprint: run.fingerprint, startedAt: expect.any(Number) },
      job: { name: 'gated', title: 'Runs until released', type: 'local', target: expect.stringMatching(/^local: /) },
    });
    expect(opts.body.fingerprint).not.toBe(run.fingerprint);
    const res = await verify(bob, run.id, { intentId, assertion });
    expect(res.status).toBe(200);
    expect(res.body.run).toMatchObject({ id: run.id, status: 'cancelled', cancelledBy: { userId: bob.userId, userName: bob.name, fingerprint: opts.body.fingerprint, at: expect.any(Number) }, endedAt: expect.any(Number) });
    // The cancel's own fingerprint: an AWS launch role's session tag for the stop.
    expect(h.launcher.cancels.slice(before)).toEqual([{ runId: run.id, cancelledBy: bob.name, fingerprint: opts.body.fingerprint }]);

    // The child dies of the SIGTERM; recording that keeps the run cancelled and adds what the job did.
    const end = await vi.waitFor(
      async () => {
        const r = (await h.api('GET', `/v1/runs/${run.id}`, undefined, alice.token)).body.run as Run;
        if (!r.launch?.cancelled) throw new Error('exit not recorded yet');
        return r;
      },
      { timeout: 20_000, interval: 25 },
    );
    expect(end).toMatchObject({ status: 'cancelled', cancelledBy: { userName: bob.name }, launch: { signal: 'SIGTERM', summary: 'cancelled: stopped by SIGTERM', output: { lines: [{ text: 'started' }] } } });
    expect(end.failure).toBeUndefined();
    const output = await h.api('GET', `/v1/runs/${run.id}/output`, undefined, bob.token);
    expect(output.body).toMatchObject({ lines: [{ seq: 0, stream: 'stdout', text: 'started' }], done: true });

    const audit = (await h.auditEntries()).filter((e) => e.runId === run.id && e.action.startsWith('run.cancel'));
    expect(audit.map((e) => [e.action, e.outcome, e.userName])).toEqual([
      ['run.cancel', 'accepted', bob.name],
      ['run.cancel.options', 'accepted', bob.name],
    ]);
    expect(audit[0]!.fingerprint).toBe(opts.body.fingerprint);

    // Replaying the approval: challenge_used, audited, and nothing more is stopped.
    const replay = await verify(bob, run.id, { intentId, assertion });
    expect(replay.body.error.code).toBe('challenge_used');
    expect(h.launcher.cancels.length).toBe(before + 1);
    expect((await h.auditEntries(5)).find((e) => e.action === 'run.cancel' && e.outcome === 'refused')?.code).toBe('challenge_used');
  });

  it('only a person allowed to run the job may cancel: at the options, and again at the touch', async () => {
    const admin = await person('admin');
    const operator = await person();
    const adminsRun = await started(admin, 'gated-admin');
    const refused = await options(operator, adminsRun.id);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'not_authorized']);

    const run = await started(admin);
    const { intentId, assertion } = await approved(operator, run.id);
    h.writeJobs([...sampleJobs, { ...gated.job, allow: { roles: ['admin'] } }, adminGated]); // removed from the job meanwhile
    try {
      const res = await verify(operator, run.id, { intentId, assertion });
      expect([res.status, res.body.error.code]).toEqual([403, 'not_authorized']);
      expect(await status(run.id)).toBe('running');
    } finally {
      h.writeJobs(jobs);
    }
    // The admin may (and both runs end).
    const ok = await approved(admin, adminsRun.id);
    expect((await verify(admin, adminsRun.id, ok)).body.run.status).toBe('cancelled');
    await finish(run, admin.token);
  });

  it('only a running run can be cancelled (run_not_running), and only one whose launcher can stop it (cancel_unsupported)', async () => {
    const alice = await person();
    const run = await started(alice);
    const { intentId, assertion } = await approved(alice, run.id);
    await finish(run, alice.token); // it ends between the options and the touch
    const late = await verify(alice, run.id, { intentId, assertion });
    expect([late.status, late.body.error.code]).toEqual([409, 'run_not_running']);
    expect(await status(run.id)).toBe('succeeded');
    const ended = await options(alice, run.id);
    expect([ended.status, ended.body.error.code]).toEqual([409, 'run_not_running']);

    const lambda = await recorded('lambda', alice);
    const unsupported = await options(alice, lambda.id);
    expect([unsupported.status, unsupported.body.error.code]).toEqual([409, 'cancel_unsupported']);
    expect((await options(alice, 'run_nope')).body.error.code).toBe('not_found');
  });

  it('a launcher that refuses to stop (an `accepted` run may be stopped too): cancel_failed, audited as failed, the run unchanged', async () => {
    const alice = await person();
    const run = await recorded('ecs-task', alice, 'accepted');
    const { intentId, assertion } = await approved(alice, run.id);
    const res = await verify(alice, run.id, { intentId, assertion });
    expect([res.status, res.body.error.code]).toEqual([502, 'cancel_failed']);
    expect(await status(run.id)).toBe('accepted');
    const entry = (await h.auditEntries(10)).find((e) => e.action === 'run.cancel' && e.runId === run.id)!;
    expect(entry).toMatchObject({ outcome: 'failed', code: 'cancel_failed', userName: alice.name });
    expect(entry.detail).toMatch(/AccessDeniedException/);
  });

  it('an approval stops one run: useless for another run, for a launch, from another person; a launch approval stops nothing', async () => {
    const alice = await person();
    const bob = await person();
    const a = await started(alice);
    const b = await started(alice);
    // A's intent and touch, sent for B: refused, and neither stops.
    const forA = await approved(alice, a.id);
    expect((await verify(alice, b.id, forA)).body.error.code).toBe('challenge_unknown');
    // B's intent with a touch that signed A's challenge.
    const forA2 = await approved(alice, a.id);
    const forB = await approved(alice, b.id);
    expect((await verify(alice, b.id, { intentId: forB.intentId, assertion: forA2.assertion })).body.error.code).toBe('verification_failed');
    // A cancel approval is not a launch approval, and the other way round.
    const forA3 = await approved(alice, a.id);
    expect((await h.api('POST', '/v1/runs/confirm', { intentId: forA3.intentId, assertion: forA3.assertion }, alice.token)).body.error.code).toBe('challenge_unknown');
    const prep = await h.api('POST', '/v1/runs/prepare', { job: 'gated', params: {} }, alice.token);
    const launchTouch = alice.authenticator.assert(prep.body.options);
    expect((await verify(alice, a.id, { intentId: prep.body.intentId, assertion: launchTouch })).body.error.code).toBe('challenge_unknown');
    const forA4 = await approved(alice, a.id);
    expect((await verify(alice, a.id, { intentId: forA4.intentId, assertion: alice.authenticator.assert((await h.api('POST', '/v1/runs/prepare', { job: 'gated', params: {} }, alice.token)).body.options) })).body.error.code).toBe('verification_failed');
    // Alice's approval sent by Bob's session.
    const forA5 = await approved(alice, a.id);
    expect((await verify(bob, a.id, forA5)).body.error.code).toBe('not_authorized');
    expect([await status(a.id), await status(b.id)]).toEqual(['running', 'running']);
    // And a fresh approval of its own still works.
    expect((await verify(alice, b.id, await approved(alice, b.id))).body.run.status).toBe('cancelled');
    await finish(a, alice.token);
  });

  it.each([
    ['a body naming the run', (id: string) => [`/v1/runs/${id}/cancel/options`, { runId: 'run_other' }], 400, 'bad_request'],
    ['an unknown field', (id: string) => [`/v1/runs/${id}/cancel/options`, { reason: 'x' }], 400, 'bad_request'],
    ['a body that is not an object', (id: string) => [`/v1/runs/${id}/cancel/options`, [1]], 400, 'bad_request'],
    ['verify without an assertion', (id: string) => [`/v1/runs/${id}/cancel/verify`, { intentId: 'int_x' }], 400, 'bad_request'],
    ['an unknown intent', (id: string) => [`/v1/runs/${id}/cancel/verify`, { intentId: 'int_nope', assertion: { id: 'AA', rawId: 'AA', type: 'public-key', response: { authenticatorData: 'AA', clientDataJSON: 'AA', signature: 'AA' } } }], 400, 'challenge_unknown'],
  ] as const)('%s is refused with its code', async (_, request, code, error) => {
    const alice = await person();
    const [path, body] = request('run_01ABC') as unknown as [string, unknown];
    const res = await h.api('POST', path, body, alice.token);
    expect([res.status, res.body.error.code]).toEqual([code, error]);
    const anonymous = await h.api('POST', path, body);
    expect(anonymous.status).toBeGreaterThanOrEqual(400);
  });
});
