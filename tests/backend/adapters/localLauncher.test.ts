import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalLauncher } from '../../../backend/adapters/launcher/localLauncher';
import { jobDefinitionSchema } from '../../../backend/core/job';

const node = process.execPath;
const job = (argv: string[], extra: Record<string, unknown> = {}) =>
  jobDefinitionSchema.parse({
    name: 'j',
    title: 'J',
    type: 'local',
    allow: { roles: ['admin'] },
    params: [{ name: 'arg', type: 'string' }, { name: 'pin', type: 'string', secret: true }],
    target: { argv, timeoutSeconds: 2, ...extra },
  });
const start = (j: ReturnType<typeof job>, params = {}, secrets = {}) =>
  createLocalLauncher().launch({ runId: 'run_1', job: j, params, secrets, requestedBy: 'alice', configVersions: {} });
/** Started, then ended: the outcome the run records when the child exits. */
const launch = async (j: ReturnType<typeof job>, params = {}, secrets = {}) => {
  const started = await start(j, params, secrets);
  expect(started.status).toBe('running');
  return started.ended!;
};
const PENDING = Symbol('pending');
const settledYet = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setImmediate(() => r(PENDING)))]);
/** A job that runs until the test creates a file: no timing in the test. */
const waitsForFile = (file: string) => job([node, '-e', `const fs=require('fs');console.log('started');const t=setInterval(()=>{if(fs.existsSync(${JSON.stringify(file)})){clearInterval(t);console.log('done')}},20)`], { timeoutSeconds: 60 });

describe('local launcher', () => {
  it('passes parameters as single argv elements, never through a shell', async () => {
    const r = await launch(job([node, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', '{{arg}}']), { arg: 'a; echo pwned $(id) `id`' });
    expect(r.status).toBe('succeeded');
    expect(JSON.parse(r.details.stdout!)).toEqual(['a; echo pwned $(id) `id`']);
  });

  it('gives the job its run id, requester, parameters, and secrets only in its environment', async () => {
    const r = await launch(job([node, '-e', 'const e=process.env; console.log(e.KEYLAUNCH_RUN_ID, e.KEYLAUNCH_REQUESTED_BY, e.KEYLAUNCH_PARAMS, e.KEYLAUNCH_SECRET_PIN)']), { arg: 'x' }, { pin: '1234' });
    expect(r.details.stdout!.trim()).toBe('run_1 alice {"arg":"x"} 1234');
  });

  it('kills a job past its timeout and records that', async () => {
    const r = await launch(job([node, '-e', 'setTimeout(() => {}, 60000)'], { timeoutSeconds: 1 }));
    expect(r.status).toBe('failed');
    expect(r.details.summary).toBe('timed out after 1 s');
    expect(r.details.signal).toBe('SIGTERM');
  });

  it('bounds captured output to 64 KiB per stream and says it truncated', async () => {
    const r = await launch(job([node, '-e', 'process.stdout.write("x".repeat(200000))']));
    expect(r.details.stdout).toHaveLength(64 * 1024);
    expect(r.details.truncated).toBe(true);
  });

  it('a program that cannot start is launch_failed', async () => {
    await expect(start(job(['/nonexistent/program']))).rejects.toMatchObject({ code: 'launch_failed' });
  });

  it('answers `running` once the child started, and settles `ended` with exit code, output and duration when it exits', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kl-launch-')), 'go');
    const started = await start(waitsForFile(file));
    expect(started).toMatchObject({ status: 'running', details: { launcher: 'local', pid: expect.any(Number) } });
    expect(started.details.summary).toMatch(/^running \(pid \d+\)$/);
    expect(await settledYet(started.ended!)).toBe(PENDING);
    expect(existsSync(file)).toBe(false);
    writeFileSync(file, '');
    const end = await started.ended!;
    expect(end).toMatchObject({ status: 'succeeded', details: { exitCode: 0, signal: null, stdout: 'started\ndone\n', summary: 'exited with code 0', truncated: false } });
    expect(end.details.durationMs).toBeGreaterThanOrEqual(0);
    expect(end.ended).toBeUndefined();
  });

  it('a job killed from outside ends failed, naming the signal', async () => {
    const started = await start(job([node, '-e', 'setTimeout(() => {}, 60000)'], { timeoutSeconds: 60 }));
    process.kill(started.details.pid as number, 'SIGKILL');
    expect(await started.ended!).toMatchObject({ status: 'failed', details: { exitCode: null, signal: 'SIGKILL', summary: 'killed by SIGKILL' } });
  });

  it('a non-zero exit ends failed with its code and both streams', async () => {
    expect(await launch(job([node, '-e', 'console.log("out"); console.error("err"); process.exit(3)']))).toMatchObject({
      status: 'failed',
      details: { exitCode: 3, stdout: 'out\n', stderr: 'err\n', summary: 'exited with code 3' },
    });
  });

  it('refuses a secret or undeclared parameter in argv at config time', () => {
    expect(() => job(['echo', '{{pin}}'])).toThrow(/not a declared non-secret parameter/);
    expect(() => job(['echo', '{{nope}}'])).toThrow(/not a declared non-secret parameter/);
  });
});
