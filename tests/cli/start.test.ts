import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cleanEnv, collect, REPO, runCommand, spawnCli, STACK, waitForOutput } from '../support/cliProcess';

const START = 'backend/local/start.ts';
const READY = 'Press Ctrl+C to stop.';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** A data folder with its own ports, and a jobs file beside it. */
async function localSetup(jobs: unknown) {
  const env = cleanEnv();
  mkdirSync(env.KEYLAUNCH_DATA!, { recursive: true });
  const settings = { sessionSecret: 'c'.repeat(44), verifierPort: await freePort() };
  writeFileSync(join(env.KEYLAUNCH_DATA!, 'local.json'), JSON.stringify(settings));
  const jobsFile = join(env.HOME!, 'jobs.json');
  writeFileSync(jobsFile, typeof jobs === 'string' ? jobs : JSON.stringify(jobs, null, 2));
  const withJobs: NodeJS.ProcessEnv = { ...env, KEYLAUNCH_JOBS_FILE: jobsFile };
  return { env: withJobs, jobsFile, settings };
}

const good = { name: 'ok', title: 'OK', type: 'local', allow: { roles: ['admin'] }, target: { argv: ['echo', 'hi'] } };
const brokenJobs = {
  jobs: [
    good,
    { ...good, name: 'type-typo', type: 'lcoal' },
    { name: 'field-typo', titel: 'T', type: 'local', allow: { roles: ['admin'] }, target: { argv: ['echo'] } },
    { name: 'no-target', title: 'T', type: 'local', allow: { roles: ['admin'] } },
    { ...good, name: 'placeholder', target: { argv: ['echo', '{{who}}'] } },
    { ...good },
    { name: 'in-aws', title: 'A Lambda', type: 'lambda', allow: { roles: ['admin'] } },
  ],
};

const inviteCode = (out: string) => /KL-[0-9A-Z-]{39}/.exec(out)?.[0];

describe.concurrent('npm start: failures before anything runs', () => {
  test('an invalid .keylaunch/local.json (not JSON) names the file and the fix, exit 3', async () => {
    const { env } = await localSetup({ jobs: [good] });
    writeFileSync(join(env.KEYLAUNCH_DATA!, 'local.json'), '{ "verifierPort": 8787, }');
    const r = await runCommand(START, ['--no-app'], env);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(/^error: .*local\.json is not valid JSON \(.+\)\. Fix it, or delete it/);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test('a wrong setting in local.json names it, exit 3', async () => {
    const { env } = await localSetup({ jobs: [good] });
    writeFileSync(join(env.KEYLAUNCH_DATA!, 'local.json'), JSON.stringify({ sessionSecret: 'c'.repeat(44), verifierPort: 'eighty', apPort: 1 }));
    const r = await runCommand(START, ['--no-app'], env);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(/^error: .*local\.json is not valid: (unknown setting "apPort"|verifierPort: .*)\. Settings: sessionSecret, verifierPort, adminName, notifications\./);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test('the verifier port in use: the error and exit 3, and the process ends (it used to hang with the database open)', async () => {
    const { env, settings } = await localSetup({ jobs: [good] });
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(settings.verifierPort, '127.0.0.1', () => r()));
    try {
      const r = await runCommand(START, ['--no-app'], env);
      expect(r.code).toBe(3);
      expect(r.stderr.trim()).toMatch(new RegExp(`^error: Port ${settings.verifierPort} is in use \\(is keylaunch already running\\?\\)\\. Stop what uses it, or set "verifierPort"`));
      expect(r.stderr + r.stdout).not.toMatch(STACK);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  test('an unknown flag: exit 2 with the way to --help', async () => {
    const r = await runCommand(START, ['--verbose']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("error: Unknown option '--verbose'. Run `npm start -- --help` for usage.");
  });

  test('--help: usage, the environment it reads, exit codes', async () => {
    const r = await runCommand(START, ['--help']);
    expect(r.code).toBe(0);
    for (const word of ['--no-app', 'KEYLAUNCH_DATA', 'KEYLAUNCH_JOBS_FILE', 'KEYLAUNCH_DEBUG', 'Exit codes']) expect(r.stdout).toContain(word);
  });

  test.skipIf(existsSync(join(REPO, 'node_modules/electron/path.txt')))(
    'no Electron binary and no download: one line saying so, the verifier keeps running, no stack (skipped where Electron is installed)',
    async () => {
      const { env } = await localSetup({ jobs: [good] });
      // A built app in the working folder, and a mirror that cannot answer: the download fails here and everywhere.
      const cwd = env.HOME!;
      mkdirSync(join(cwd, 'dist/electron'), { recursive: true });
      writeFileSync(join(cwd, 'dist/electron/main.cjs'), '');
      const child = spawnCli(START, [], { ...env, ELECTRON_MIRROR: 'http://127.0.0.1:9/' }, cwd);
      const done = collect(child);
      const out = await waitForOutput(child, 'to an unpacked Electron.');
      child.kill('SIGTERM');
      const r = await done;
      expect(out + r.stdout).toMatch(/The desktop app cannot start: Electron could not be downloaded \(.+\)\. The verifier keeps running\./);
      expect(r.code).toBe(0);
      expect(out + r.stdout + r.stderr).not.toMatch(STACK);
      expect(out + r.stdout).not.toContain('delete `node_modules/electron`');
    },
  );
});

describe('npm start: jobs reported, a second start refused, one live first-admin invite', () => {
  test('reports each broken job at start and again when the watched file changes; restart cancels the earlier invite', async () => {
    const { env, jobsFile, settings } = await localSetup(brokenJobs);
    const first = spawnCli(START, ['--no-app'], env);
    const firstDone = collect(first);
    const out1 = await waitForOutput(first, READY);

    expect(out1).toContain('(watched: edits apply without a restart)');
    expect(out1).toMatch(/1 ready: ok/);
    expect(out1).toContain('type-typo: type "lcoal" is not one of local, lambda, ec2, ssm-command, ecs-task, step-functions (did you mean "local"?)');
    expect(out1).toContain('field-typo: title is missing; unknown field "titel" (did you mean "title"?)');
    expect(out1).toContain('no-target: target is missing');
    expect(out1).toContain('placeholder: target.argv.1 "{{who}}": {{who}} is not a declared non-secret parameter');
    expect(out1).toContain('ok: name "ok" is already used by job #1');
    expect(out1).toContain('in-aws: type "lambda" needs AWS mode');
    expect(out1).toContain('First start: enroll your key as "admin"');
    const code1 = inviteCode(out1)!;

    // A second start with the same data folder, while the first runs.
    const second = await runCommand(START, ['--no-app'], env);
    expect(second.code).toBe(3);
    expect(second.stderr.trim()).toMatch(/^error: keylaunch is already running with the data folder .*\. Stop it first \(Ctrl\+C in its terminal\)/);
    expect(second.stderr + second.stdout).not.toMatch(STACK);

    // The file breaks while it runs: the JSON parser's own message, at once.
    const reloaded = waitForOutput(first, '(line ');
    writeFileSync(jobsFile, '{ "jobs": [ { "name": "x", } ] }');
    expect(await reloaded).toMatch(/Jobs file changed \(.*jobs\.json\):\n.*\n.*\n\s+\(jobs file\): the jobs file is not valid JSON: .* \(line 1 column \d+\)/);

    first.kill('SIGTERM');
    expect((await firstDone).code).toBe(0);

    const third = spawnCli(START, ['--no-app'], env);
    const thirdDone = collect(third);
    try {
      const out3 = await waitForOutput(third, READY);
      expect(out3).not.toContain('First start');
      expect(out3).toContain('"admin" (admin) has not enrolled yet. A new one-time invite code (the earlier one no longer works):');
      const code3 = inviteCode(out3)!;
      expect(code3).not.toBe(code1);

      const enroll = (inviteCode: string) =>
        fetch(`http://127.0.0.1:${settings.verifierPort}/v1/enroll/options`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inviteCode }) });
      const old = await enroll(code1);
      expect(old.status).toBe(403);
      expect(((await old.json()) as { error: { code: string } }).error.code).toBe('invite_invalid');
      expect((await enroll(code3)).status).toBe(200);

      const invites = await runCommand('backend/cli/admin.ts', ['invites'], env);
      expect(invites.stdout.trim().split('\n').filter((l) => l.startsWith('admin '))).toHaveLength(1);
    } finally {
      third.kill('SIGTERM');
      await thirdDone;
    }
  }, 90_000);
});
