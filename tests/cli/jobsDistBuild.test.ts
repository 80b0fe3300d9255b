import { describe, expect, test } from 'vitest';
import { cleanEnv, runCommand, STACK } from '../support/cliProcess';

/** `npm run jobs`, `npm run dist` and `npm run build`: the failure paths that need no AWS and no download. */
describe.concurrent('npm run jobs / dist / build: failure paths', () => {
  test('jobs list without a region: exit 3, says to set AWS_REGION', async () => {
    const r = await runCommand('backend/cli/jobs.ts', ['list']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(/^error: No AWS region is set\. Set AWS_REGION/);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test('jobs list with a region and no credentials: exit 3, hints at AWS_PROFILE and aws configure', async () => {
    const r = await runCommand('backend/cli/jobs.ts', ['list'], cleanEnv({ AWS_REGION: 'eu-west-1' }));
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(/^error: No AWS credentials were found\. Set AWS_PROFILE .* `aws configure`/);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test('README step 1 followed literally (push jobs/aws.yaml before writing it): exit 3, says to copy the example', async () => {
    const r = await runCommand('backend/cli/jobs.ts', ['push', 'jobs/aws.yaml']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('error: jobs/aws.yaml does not exist. Start from the example: cp jobs/aws.example.yaml jobs/aws.yaml');
  });

  test('jobs push --dry-run of a broken catalog: exit 1, each problem names the bad value, nothing written', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'kl-jobs-')), 'aws.yaml');
    writeFileSync(file, 'jobs:\n  - name: fn\n    title: F\n    type: lamda\n    allow: { roles: [admin] }\n');
    const r = await runCommand('backend/cli/jobs.ts', ['push', file, '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Nothing was written. Fix these first:');
    expect(r.stderr).toContain('type "lamda" is not one of local, lambda');
    expect(r.stderr).toContain('(did you mean "lambda"?)');
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test.each([
    { args: ['--bogus'], says: "error: Unknown option '--bogus'. Run `npm run jobs -- --help` for usage." },
    { args: ['push'], says: 'error: push needs a jobs file, e.g. jobs/aws.yaml. Run `npm run jobs -- --help` for usage.' },
    { args: ['list', '--prefix=no-slash'], says: 'error: --prefix must be a parameter path like /keylaunch, not "no-slash". Run `npm run jobs -- --help` for usage.' },
  ])('jobs $args: exit 2', async ({ args, says }) => {
    const r = await runCommand('backend/cli/jobs.ts', args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(says);
  });

  test('dist --electron-dist with a folder that is not there: exit 3 before building anything', async () => {
    const r = await runCommand('build/dist.ts', ['--electron-dist', '/nonexistent/electron']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('error: --electron-dist /nonexistent/electron is not a folder. Give the folder of an unpacked Electron (the one holding the electron executable).');
  });

  test('dist with an unknown flag and with two platforms: exit 2', async () => {
    const [bogus, two] = await Promise.all([runCommand('build/dist.ts', ['--macos']), runCommand('build/dist.ts', ['--mac', '--win'])]);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr.trim()).toBe("error: Unknown option '--macos'. Run `npm run dist -- --help` for usage.");
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('Choose one of --linux, --mac, --win');
  });

  test('--help of jobs, dist and build: usage with exit codes, exit 0', async () => {
    const results = await Promise.all(['backend/cli/jobs.ts', 'build/dist.ts', 'build/buildDesktop.ts'].map((entry) => runCommand(entry, ['--help'])));
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: npm run (jobs|dist|build)/);
      expect(r.stdout).toContain('Exit codes');
    }
    expect(results[1]!.stdout).toContain('--electron-dist <folder>');
  });

  test('build with an argument it does not take: exit 2, nothing built', async () => {
    const r = await runCommand('build/buildDesktop.ts', ['--prod']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: Unexpected argument "--prod". Run `npm run build -- --help` for usage.');
  });
});
