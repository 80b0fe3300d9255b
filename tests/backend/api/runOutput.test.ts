import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';
import { sampleJobs } from '../../support/sampleJobs';
import { gatedJob } from '../../support/gatedJob';
import type { Launcher } from '../../../backend/core/ports';
import type { Run } from '../../../backend/core/model';

/**
 * Issue 12 §3 at the API: GET /v1/runs/{id}/output follows a local run's output live, by cursor, to
 * its end; any signed-in session may read it (as it may read the run); cursors and limits are hostile.
 */
const gated = gatedJob();
/** Both streams past their bounds with 3-byte characters: the biggest record a local run can leave. */
const huge = { ...sampleJobs[0]!, name: 'huge', title: 'Huge', params: [], target: { argv: [process.execPath, '-e', 'const l="€".repeat(200)+"\\n";for(let i=0;i<500;i++){process.stdout.write(l);process.stderr.write(l)}'], timeoutSeconds: 20 } };
const noisy = { ...sampleJobs[0]!, name: 'noisy', title: 'Noisy', params: [], target: { argv: [process.execPath, '-e', 'for(let i=0;i<30;i++){console.log("out "+i);console.error("err "+i)}'], timeoutSeconds: 20 } };
/** A launcher with nothing to follow, and one whose log service fails. */
const silent: Launcher = { launch: async () => ({ status: 'accepted', details: { launcher: 'lambda', summary: 'accepted' } }) };
const broken: Launcher = {
  launch: async () => ({ status: 'running', details: { launcher: 'ecs-task', summary: 'running' } }),
  output: async () => {
    throw Object.assign(new Error('ResourceNotFoundException: log group secret-name'), { name: 'ResourceNotFoundException' });
  },
};
let h: Harness;
let logged: string[] = [];
beforeAll(async () => {
  h = await startHarness({ jobs: [...sampleJobs, gated.job, noisy, huge], launchers: { lambda: silent, 'ecs-task': broken }, log: (m) => void logged.push(m) });
});
afterAll(() => h?.close());

async function confirmed(job: string) {
  const user = await h.enroll();
  const token = await h.session(user);
  const prep = await h.api('POST', '/v1/runs/prepare', { job, params: {} }, token);
  const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: user.authenticator.assert(prep.body.options) }, token);
  return { token, run: res.body.run as Run };
}
const output = (runId: string, query: string, token?: string) => h.api('GET', `/v1/runs/${runId}/output${query}`, undefined, token);

describe('GET /v1/runs/{id}/output', () => {
  it('follows a running local job by cursor until it ends; another signed-in person sees the same', async () => {
    const { token, run } = await confirmed('gated');
    const first = await vi.waitFor(
      async () => {
        const r = await output(run.id, '', token);
        if (r.body.lines.length === 0) throw new Error('no output yet');
        return r;
      },
      { timeout: 20_000, interval: 20 },
    );
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ lines: [{ seq: 0, stream: 'stdout', text: 'started' }], cursor: '1', done: false, truncated: false });
    expect((await output(run.id, '?cursor=1', token)).body).toEqual({ lines: [], cursor: '1', done: false, truncated: false });
    // GET /v1/runs/{id} is what a follower polls for status and elapsed time.
    expect((await h.api('GET', `/v1/runs/${run.id}`, undefined, token)).body.run).toMatchObject({ status: 'running', startedAt: expect.any(Number) });

    gated.release(run.id);
    const last = await vi.waitFor(
      async () => {
        const r = await output(run.id, '?cursor=1', token);
        if (!r.body.done) throw new Error('not done');
        return r;
      },
      { timeout: 20_000, interval: 20 },
    );
    expect(last.body).toEqual({ lines: [{ seq: 1, stream: 'stdout', text: 'done' }], done: true, truncated: false });
    const ended = await h.ended(run.id, token);
    expect(ended.endedAt).toBeGreaterThanOrEqual(ended.startedAt!);
    // Each poll is audited, and expires like a refusal (a follower polls every few seconds).
    const polls = (await h.auditEntries(100)).filter((e) => e.action === 'run.output' && e.runId === run.id);
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls.every((e) => e.outcome === 'accepted' && e.expiresAt !== undefined && e.job === 'gated')).toBe(true);
    const other = await h.session(await h.enroll());
    expect((await output(run.id, '', other)).body).toEqual({ lines: [{ seq: 0, stream: 'stdout', text: 'started' }, { seq: 1, stream: 'stdout', text: 'done' }], done: true, truncated: false });
  });

  it('pages through both streams in order with a limit', async () => {
    const { token, run } = await confirmed('noisy');
    await h.ended(run.id, token);
    const seen: string[] = [];
    let cursor = '';
    for (let pages = 0; pages < 20; pages++) {
      const r = await output(run.id, `?limit=7${cursor ? `&cursor=${cursor}` : ''}`, token);
      expect(r.body.lines.length).toBeLessThanOrEqual(7);
      seen.push(...r.body.lines.map((l: { text: string }) => l.text));
      if (r.body.done) break;
      cursor = r.body.cursor;
    }
    expect(seen).toHaveLength(60);
    expect(seen.filter((t) => t.startsWith('out'))).toEqual(Array.from({ length: 30 }, (_, i) => `out ${i}`));
    expect(seen.filter((t) => t.startsWith('err'))).toEqual(Array.from({ length: 30 }, (_, i) => `err ${i}`));
  });

  it('the biggest output a local run can leave still fits its record in DynamoDB, and is served from it', async () => {
    const { token, run } = await confirmed('huge');
    const ended = await h.ended(run.id, token);
    expect(ended).toMatchObject({ status: 'succeeded', launch: { truncated: true } });
    const lines = ended.launch!.output!.lines;
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.at(-1)).toMatchObject({ seq: 999, text: '€'.repeat(200) });
    expect(Buffer.byteLength(JSON.stringify(ended))).toBeGreaterThan(200_000);
    const page = await output(run.id, `?cursor=${lines[0]!.seq}&limit=1000`, token);
    expect(page.body).toMatchObject({ done: true, truncated: false });
    expect(page.body.lines).toHaveLength(lines.length);
  });

  it('a run whose launcher has nothing to follow: no lines, done once ended, with its console link', async () => {
    const { token, run } = await confirmed('gated');
    gated.release(run.id);
    await h.ended(run.id, token);
    const model = (await h.store.getRun(run.id))!;
    const lambda: Run = { ...model, id: `run_lambda${Date.now()}`, status: 'accepted', launch: { launcher: 'lambda', summary: 'accepted', consoleUrl: 'https://console.aws.amazon.com/lambda' } };
    await h.store.createRun(lambda);
    expect((await output(lambda.id, '', token)).body).toEqual({ lines: [], cursor: '0', done: false, truncated: false, consoleUrl: 'https://console.aws.amazon.com/lambda' });
    await h.store.updateRun({ ...lambda, status: 'ended' });
    expect((await output(lambda.id, '', token)).body).toEqual({ lines: [], done: true, truncated: false, consoleUrl: 'https://console.aws.amazon.com/lambda' });

    // A log service that fails: output_unavailable, its words only in the operator's log.
    const ecs: Run = { ...model, id: `run_ecs${Date.now()}`, status: 'running', launch: { launcher: 'ecs-task', summary: 'running' } };
    await h.store.createRun(ecs);
    logged = [];
    const failed = await output(ecs.id, '', token);
    expect([failed.status, failed.body.error.code]).toEqual([502, 'output_unavailable']);
    expect(JSON.stringify(failed.body)).not.toContain('secret-name');
    expect(logged.join('\n')).toContain('output_unavailable');
  });

  it.each([
    ['a cursor that is not a number', '?cursor=abc', 400, 'bad_request'],
    ['a negative cursor', '?cursor=-1', 400, 'bad_request'],
    ['a cursor past the output', '?cursor=99', 400, 'bad_request'],
    ['a cursor in exponent form', '?cursor=1e1', 400, 'bad_request'],
    ['a huge cursor', `?cursor=${'9'.repeat(40)}`, 400, 'bad_request'],
    ['a cursor too long for any launcher', `?cursor=${'a'.repeat(1025)}`, 400, 'bad_request'],
    ['a cursor with spaces or control characters', '?cursor=1%20', 400, 'bad_request'],
    ['a cursor with a NUL', '?cursor=%00', 400, 'bad_request'],
    ['an empty cursor', '?cursor=', 400, 'bad_request'],
    ['limit 0', '?limit=0', 400, 'bad_request'],
    ['limit above 1000', '?limit=1001', 400, 'bad_request'],
    ['a fractional limit', '?limit=1.5', 400, 'bad_request'],
    ['a limit that is not a number', '?limit=all', 400, 'bad_request'],
    ['an unknown field', '?from=3', 400, 'bad_request'],
  ])('%s is refused (%s)', async (_, query, status, code) => {
    const { token, run } = await confirmed('noisy');
    await h.ended(run.id, token);
    const res = await output(run.id, query, token);
    expect([res.status, res.body.error.code]).toEqual([status, code]);
  });

  it.each([
    ['no session', 'run_01ABC', undefined, 401, 'session_invalid'],
    ['an unknown run', 'run_01NOPE', 'session', 404, 'not_found'],
    ['a run id that is not an id', 'run..x', 'session', 400, 'bad_request'],
  ])('%s is refused', async (_, runId, auth, status, code) => {
    const token = auth ? await h.session(await h.enroll()) : undefined;
    const res = await output(runId, '', token);
    expect([res.status, res.body.error.code]).toEqual([status, code]);
  });
});
