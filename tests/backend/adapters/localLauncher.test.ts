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
const launch = (j: ReturnType<typeof job>, params = {}, secrets = {}) =>
  createLocalLauncher().launch({ runId: 'run_1', job: j, params, secrets, requestedBy: 'alice', configVersions: {} });

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
  });

  it('bounds captured output to 64 KiB per stream and says it truncated', async () => {
    const r = await launch(job([node, '-e', 'process.stdout.write("x".repeat(200000))']));
    expect(r.details.stdout).toHaveLength(64 * 1024);
    expect(r.details.truncated).toBe(true);
  });

  it('a program that cannot start is launch_failed', async () => {
    await expect(launch(job(['/nonexistent/program']))).rejects.toMatchObject({ code: 'launch_failed' });
  });

  it('refuses a secret or undeclared parameter in argv at config time', () => {
    expect(() => job(['echo', '{{pin}}'])).toThrow(/not a declared non-secret parameter/);
    expect(() => job(['echo', '{{nope}}'])).toThrow(/not a declared non-secret parameter/);
  });
});
