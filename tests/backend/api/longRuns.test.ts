import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';
import { sampleJobs } from '../../support/sampleJobs';
import { gatedJob } from '../../support/gatedJob';
import type { Run } from '../../../backend/core/model';
import type { Store } from '../../../backend/core/ports';

/**
 * Issue 12 §1–2 at the API: confirm answers once the job started; the run record follows the job to its
 * end; a desktop that lost the answer finds the run by its intent, and only its own.
 */
const gated = gatedJob();
const sleeper = { ...sampleJobs[0]!, name: 'sleeper', title: 'Sleeps', params: [], target: { argv: [process.execPath, '-e', 'setTimeout(() => {}, 600000)'], timeoutSeconds: 1 } };
const unkillable = { ...sleeper, name: 'sleeps-long', target: { ...sleeper.target, timeoutSeconds: 600 } };
/** Fails the write that records a run as `running` for the job named `storage-fails-at-start`. */
let failRunningWrite = true;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    jobs: [...sampleJobs, gated.job, sleeper, unkillable, { ...gated.job, name: 'storage-fails-at-start' }],
    store: (s: Store): Store => ({
      ...s,
      updateRun: async (run: Run) => {
        if (failRunningWrite && run.job === 'storage-fails-at-start' && run.status === 'running') {
          failRunningWrite = false;
          throw Object.assign(new Error('ServiceUnavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
        }
        return s.updateRun(run);
      },
    }),
  });
});
afterAll(() => h?.close());

async function confirmed(job: string, user?: Awaited<ReturnType<Harness['enroll']>>) {
  const who = user ?? (await h.enroll());
  const token = await h.session(who);
  const prep = await h.api('POST', '/v1/runs/prepare', { job, params: {} }, token);
  expect(prep.status).toBe(200);
  const assertion = who.authenticator.assert(prep.body.options);
  const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token);
  return { user: who, token, prep, assertion, res };
}

describe('confirm answers once the job started (local launcher)', () => {
  it('answers `running` while the job runs; GET /v1/runs/{id} shows it running, then its end with exit code, output and duration', async () => {
    const { token, res } = await confirmed('gated');
    expect(res.status).toBe(200);
    expect(res.body.run).toMatchObject({ job: 'gated', status: 'running', launch: { launcher: 'local', pid: expect.any(Number) } });
    expect(res.body.run.launch.summary).toMatch(/^running \(pid \d+\)$/);
    const id = res.body.run.id;
    const meanwhile = await h.api('GET', `/v1/runs/${id}`, undefined, token);
    expect(meanwhile.body.run.status).toBe('running');
    expect((await h.store.getRun(id))?.status).toBe('running');

    gated.release(id);
    const end = await h.ended(id, token);
    expect(end).toMatchObject({ status: 'succeeded', launch: { launcher: 'local', exitCode: 0, signal: null, stdout: 'started\ndone\n', stderr: '', summary: 'exited with code 0', truncated: false } });
    expect(end.launch!.durationMs).toEqual(expect.any(Number));
    expect(end.failure).toBeUndefined();
    expect(end.updatedAt).toBeGreaterThanOrEqual(res.body.run.updatedAt);
  });

  it('a job past its timeout is killed, and the run ends failed saying so', async () => {
    const { token, res } = await confirmed('sleeper');
    expect(res.body.run.status).toBe('running');
    expect(await h.ended(res.body.run.id, token)).toMatchObject({
      status: 'failed',
      failure: { code: 'job_failed', message: 'timed out after 1 s' },
      launch: { exitCode: null, signal: 'SIGTERM' },
    });
  });

  it('a job killed from outside ends failed, naming the signal', async () => {
    const { token, res } = await confirmed('sleeps-long');
    process.kill(res.body.run.launch.pid, 'SIGKILL');
    expect(await h.ended(res.body.run.id, token)).toMatchObject({ status: 'failed', failure: { code: 'job_failed', message: 'killed by SIGKILL' }, launch: { signal: 'SIGKILL' } });
  });

  it('a failure recording that the job started answers storage_unavailable, yet the run is found by its intent and its end is recorded', async () => {
    const before = h.launcher.launches.length;
    const { token, prep, res } = await confirmed('storage-fails-at-start');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('storage_unavailable');
    expect(h.launcher.launches.length).toBe(before + 1);
    const found = await h.api('GET', `/v1/runs?intentId=${prep.body.intentId}`, undefined, token);
    expect(found.body.runs).toHaveLength(1);
    expect(found.body.runs[0].status).toBe('launching'); // recorded, its start not: "unless a run says so"
    gated.release(found.body.runs[0].id);
    expect((await h.ended(found.body.runs[0].id, token)).status).toBe('succeeded');
  });
});

describe('a lost answer: the run is found by its intent, never launched twice', () => {
  it('the person who confirmed finds the one run by its intent; a replay of the same assertion launches nothing', async () => {
    const before = h.launcher.launches.length;
    const { user, token, prep, assertion, res } = await confirmed('gated');
    const run = res.body.run;
    const found = await h.api('GET', `/v1/runs?intentId=${prep.body.intentId}`, undefined, token);
    expect(found.status).toBe(200);
    expect(found.body).toEqual({ runs: [expect.objectContaining({ id: run.id, intentId: prep.body.intentId, status: 'running', userName: user.name })] });
    // Resending the approval is a replay: refused, and still one launch.
    const replay = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token);
    expect(replay.body.error.code).toBe('challenge_used');
    expect(h.launcher.launches.length).toBe(before + 1);
    // The same session asking again, later: the same one run (and the lookup launched nothing).
    const again = await h.api('GET', `/v1/runs?intentId=${prep.body.intentId}`, undefined, await h.session(user));
    expect(again.body.runs.map((r: Run) => r.id)).toEqual([run.id]);
    expect(h.launcher.launches.length).toBe(before + 1);
    gated.release(run.id);
    await h.ended(run.id, token);
  });

  it('another person asking by the same intent sees nothing: the answer is that of an intent that launched nothing', async () => {
    const { prep, res, token } = await confirmed('gated');
    const other = await h.enroll();
    const otherToken = await h.session(other);
    const theirs = await h.api('GET', `/v1/runs?intentId=${prep.body.intentId}`, undefined, otherToken);
    const nothing = await h.api('GET', `/v1/runs?intentId=int_${'A'.repeat(22)}`, undefined, otherToken);
    expect(theirs.status).toBe(200);
    expect(theirs.body).toEqual({ runs: [] });
    expect(nothing.body).toEqual(theirs.body);
    gated.release(res.body.run.id);
    await h.ended(res.body.run.id, token);
  });

  it('an intent prepared but not confirmed has no run, and asking does not spend it: it still confirms, once', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    const prep = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'late' } }, token);
    expect((await h.api('GET', `/v1/runs?intentId=${prep.body.intentId}`, undefined, token)).body).toEqual({ runs: [] });
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: user.authenticator.assert(prep.body.options) }, token);
    expect(res.status).toBe(200);
    expect((await h.api('GET', `/v1/runs?intentId=${prep.body.intentId}`, undefined, token)).body.runs.map((r: Run) => r.id)).toEqual([res.body.run.id]);
  });

  it.each([
    ['no session', '?intentId=int_abc', undefined, 401, 'session_invalid'],
    ['an intentId that is not an id', '?intentId=..%2Fx', 'session', 400, 'bad_request'],
    ['intentId with a cursor', '?intentId=int_abc&cursor=abc', 'session', 400, 'bad_request'],
    ['an unknown field', '?intentId=int_abc&userId=u_1', 'session', 400, 'bad_request'],
  ])('%s is refused with its code', async (_, query, auth, status, code) => {
    const token = auth ? await h.session(await h.enroll()) : undefined;
    const res = await h.api('GET', `/v1/runs${query}`, undefined, token);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });
});
