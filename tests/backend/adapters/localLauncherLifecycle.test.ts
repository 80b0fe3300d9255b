import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createLocalLauncher } from '../../../backend/adapters/launcher/localLauncher';
import { jobDefinitionSchema } from '../../../backend/core/job';
import type { Launcher, LaunchResult, OutputPage } from '../../../backend/core/ports';

/**
 * Issue 12 §3–4 in the local launcher: a child's output followed while it runs (ordered across both
 * streams), then from the tail its record keeps; cancel stops its whole process group, SIGTERM then
 * SIGKILL after the grace, and `ended` still settles. Steps wait for files the test writes: no timing.
 */
const node = process.execPath;
const job = (code: string, o: { timeoutSeconds?: number; params?: unknown[] } = {}) =>
  jobDefinitionSchema.parse({ name: 'j', title: 'J', type: 'local', allow: { roles: ['admin'] }, params: o.params ?? [], target: { argv: [node, '-e', code], timeoutSeconds: o.timeoutSeconds ?? 60 } });
const gateDir = () => mkdtempSync(join(tmpdir(), 'kl-steps-'));
/** Waits (in the child) for a file in `dir`. */
const waitFor = (dir: string) => `const fs=require('fs'),path=require('path');const until=(f)=>new Promise(r=>{const t=setInterval(()=>{if(fs.existsSync(path.join(${JSON.stringify(dir)},f))){clearInterval(t);r()}},10)});`;
let runs = 0;
async function start(launcher: Launcher, j: ReturnType<typeof job>, secrets = {}) {
  const runId = `run_${++runs}`;
  const started = await launcher.launch({ runId, job: j, params: {}, secrets, requestedBy: 'alice', configVersions: {} });
  expect(started.status).toBe('running');
  return { runId, started, ended: started.ended! };
}
/** Pages through everything after `cursor` until `until` holds for the lines seen (bounded). */
async function follow(launcher: Launcher, runId: string, until: (page: OutputPage, all: string[]) => boolean, details = {}) {
  const all: string[] = [];
  let cursor: string | undefined;
  let last!: OutputPage;
  await vi.waitFor(
    async () => {
      last = await launcher.output!({ launcher: 'local', summary: '', ...details }, { runId, limit: 3, ...(cursor ? { cursor } : {}) });
      all.push(...last.lines.map((l) => `${l.seq}:${l.stream}:${l.text}`));
      cursor = last.cursor ?? cursor;
      if (!until(last, all)) throw new Error(`not yet: ${all.join(' | ')}`);
    },
    { timeout: 20_000, interval: 10 },
  );
  return { all, last };
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('local launcher: output while it runs, then from the record', () => {
  it('started → output in order across stdout and stderr → ended; then served from the record by another launcher (a restart)', async () => {
    const dir = gateDir();
    const code = `${waitFor(dir)}(async()=>{console.log('one');await until('a');console.error('two');await until('b');process.stdout.write('three, no newline')})()`;
    const launcher = createLocalLauncher();
    const { runId, ended } = await start(launcher, job(code));
    const first = await follow(launcher, runId, (_, all) => all.length === 1);
    expect(first.all).toEqual(['0:stdout:one']);
    expect(first.last).toMatchObject({ cursor: '1', done: false });
    writeFileSync(join(dir, 'a'), '');
    await follow(launcher, runId, (_, all) => all.includes('1:stderr:two'));
    writeFileSync(join(dir, 'b'), '');
    const end = (await ended) as LaunchResult;
    const whole = await follow(launcher, runId, (page) => page.done);
    expect(whole.all).toEqual(['0:stdout:one', '1:stderr:two', '2:stdout:three, no newline']);
    expect(whole.last.cursor).toBeUndefined();
    expect(end.details.output).toEqual({ lines: [{ seq: 0, stream: 'stdout', text: 'one' }, { seq: 1, stream: 'stderr', text: 'two' }, { seq: 2, stream: 'stdout', text: 'three, no newline' }], next: 3 });

    // A verifier that never ran this child (restarted) serves the record's tail, cursors included.
    const restarted = createLocalLauncher();
    expect(await restarted.output!(end.details, { runId, limit: 10 })).toEqual({ lines: end.details.output!.lines, done: true, truncated: false });
    expect(await restarted.output!(end.details, { runId, cursor: '2', limit: 10 })).toEqual({ lines: [end.details.output!.lines[2]], done: true, truncated: false });
    await expect(restarted.output!(end.details, { runId, cursor: '4', limit: 10 })).rejects.toMatchObject({ code: 'bad_request' });
    // A run whose record kept nothing (lost at a restart): done, nothing, and it says lines were dropped.
    expect(await restarted.output!({ launcher: 'local', summary: 'running (pid 1)' }, { runId: 'run_other', cursor: '12', limit: 10 })).toEqual({ lines: [], done: true, truncated: true });
    await expect(restarted.output!({ launcher: 'local', summary: '' }, { runId: 'run_other', cursor: 'x', limit: 10 })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('a chatty job stays bounded in memory and in the record, and says it dropped lines', async () => {
    const launcher = createLocalLauncher();
    const { runId, ended } = await start(launcher, job(`for(let i=0;i<20000;i++)console.log('line '+i)`));
    const end = await ended;
    const page = await launcher.output!(end.details, { runId, limit: 1000 });
    expect(page.truncated).toBe(true);
    expect(page.lines[0]!.seq).toBe(18000); // the newest 2,000 are kept
    expect(page.lines[0]!.text).toBe('line 18000');
    expect(end.details.output!.lines).toHaveLength(1000);
    expect(end.details.output!.lines.at(-1)).toEqual({ seq: 19999, stream: 'stdout', text: 'line 19999' });
    expect(end.details.output!.next).toBe(20000);
  });

  it('scrubs secret values from the live output and the record', async () => {
    const launcher = createLocalLauncher();
    const { runId, ended } = await start(launcher, job(`console.log('pin is '+process.env.KEYLAUNCH_SECRET_PIN)`, { params: [{ name: 'pin', type: 'string', secret: true }] }), { pin: 'swordfish-42' });
    const end = await ended;
    expect((await launcher.output!(end.details, { runId, limit: 10 })).lines.map((l) => l.text)).toEqual(['pin is [secret]']);
    expect(JSON.stringify(end.details.output)).not.toContain('swordfish-42');
  });
});

describe('local launcher: cancel', () => {
  it('SIGTERM to a job that stops on it: ended settles, saying it was cancelled', async () => {
    const launcher = createLocalLauncher({ killGraceMs: 60_000 });
    const { runId, started, ended } = await start(launcher, job(`process.on('SIGTERM',()=>{console.log('got SIGTERM');process.exit(0)});console.log('up');setInterval(()=>{},1000)`));
    await follow(launcher, runId, (_, all) => all.includes('0:stdout:up'));
    await launcher.cancel!(started.details, { runId, cancelledBy: 'bob' });
    const end = await ended;
    expect(end).toMatchObject({ status: 'failed', details: { cancelled: true, exitCode: 0, summary: 'cancelled: exited with code 0' } });
    expect(end.details.output!.lines.map((l) => l.text)).toEqual(['up', 'got SIGTERM']);
    await expect(launcher.cancel!(started.details, { runId, cancelledBy: 'bob' })).rejects.toMatchObject({ code: 'run_not_running' });
  });

  it('a job (and its own child) ignoring SIGTERM is killed with SIGKILL after the grace; the whole process group goes', async () => {
    const launcher = createLocalLauncher({ killGraceMs: 300 });
    const ignoreTerm = `process.on('SIGTERM',()=>console.log('ignoring SIGTERM'));`;
    const code = `${ignoreTerm}const c=require('child_process').spawn(process.execPath,['-e',${JSON.stringify(`${ignoreTerm}setInterval(()=>{},1000)`)}],{stdio:'ignore'});console.log('grandchild '+c.pid);setInterval(()=>{},1000)`;
    const { runId, started, ended } = await start(launcher, job(code));
    const { all } = await follow(launcher, runId, (_, seen) => seen.some((l) => l.includes('grandchild')));
    const grandchild = Number(/grandchild (\d+)/.exec(all.join('\n'))![1]);
    expect(alive(grandchild)).toBe(true);
    await launcher.cancel!(started.details, { runId, cancelledBy: 'bob' });
    const end = await ended;
    expect(end).toMatchObject({ status: 'failed', details: { cancelled: true, signal: 'SIGKILL', exitCode: null, summary: 'cancelled: stopped by SIGKILL' } });
    expect(end.details.output!.lines.map((l) => l.text)).toContain('ignoring SIGTERM');
    await vi.waitFor(() => expect(alive(grandchild)).toBe(false), { timeout: 10_000 });
  });

  it('an unknown run cannot be cancelled (run_not_running)', async () => {
    await expect(createLocalLauncher().cancel!({ launcher: 'local', summary: '' }, { runId: 'run_nope', cancelledBy: 'bob' })).rejects.toMatchObject({ code: 'run_not_running' });
  });

  it('a timeout stops the process group too, SIGKILL after the grace for what ignores SIGTERM', async () => {
    const launcher = createLocalLauncher({ killGraceMs: 200 });
    const { ended } = await start(launcher, job(`process.on('SIGTERM',()=>{});setInterval(()=>{},1000)`, { timeoutSeconds: 1 }));
    expect(await ended).toMatchObject({ status: 'failed', details: { signal: 'SIGKILL', summary: 'timed out after 1 s' } });
  });
});

describe('local launcher: the verifier exits', () => {
  it('its running jobs get SIGTERM (they lead their own process group, so the terminal\'s Ctrl+C no longer reaches them)', async () => {
    const out = execFileSync(join(process.cwd(), 'node_modules/.bin/tsx'), [join(process.cwd(), 'tests/support/launchThenExit.ts')], { encoding: 'utf8', timeout: 120_000 });
    const pid = Number(out.trim().split('\n').at(-1));
    expect(pid).toBeGreaterThan(0);
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 10_000 });
  }, 150_000);
});
