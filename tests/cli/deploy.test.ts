import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cleanEnv, runCommand, STACK } from '../support/cliProcess';

/**
 * `npm run deploy` and `npm run destroy`: the failure paths a person meets before anything reaches AWS
 * (no cdk run, no credentials needed). Each: one line with the next step, its exit code, no stack trace.
 */
const settingsFile = (content: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'kl-deploy-')), 'deploy.settings.json');
  writeFileSync(file, content);
  return file;
};

describe.concurrent('npm run deploy / destroy: failure paths', () => {
  test('deploy --help: usage, the settings, exit codes; exit 0', async () => {
    const r = await runCommand('backend/deploy/deploy.ts', ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: npm run deploy --');
    expect(r.stdout).toContain('Exit codes:');
  });

  test('deploy with a settings file that is not JSON: names the file and the parser’s words, exit 3', async () => {
    const file = settingsFile('{ "region": "eu-west-1", }');
    const r = await runCommand('backend/deploy/deploy.ts', ['--settings', file]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid JSON \\(.+\\)\\. Fix it; deploy\\.settings\\.example\\.json shows the format\\.$`));
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test('deploy without the allowlist: says which setting is missing, exit 3, before cdk runs', async () => {
    const r = await runCommand('backend/deploy/deploy.ts', ['--region', 'eu-west-1'], cleanEnv(), mkdtempSync(join(tmpdir(), 'kl-cwd-')));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: The deploy settings \(flags\) are incomplete or invalid: allowedCidrs: /);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test('deploy before jobs/aws.yaml exists: says to copy the example, exit 3, before cdk runs', async () => {
    const r = await runCommand('backend/deploy/deploy.ts', ['--region', 'eu-west-1', '--allowed-cidr', '203.0.113.0/24']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('error: jobs/aws.yaml does not exist. Start from the example: cp jobs/aws.example.yaml jobs/aws.yaml, then edit it (or set catalogFile).');
  });

  test('destroy with no settings file: refused before it asks anything, exit 3', async () => {
    const r = await runCommand('backend/deploy/destroy.ts', [], cleanEnv(), mkdtempSync(join(tmpdir(), 'kl-cwd-')));
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('error: deploy.settings.json does not exist. Run this where you ran npm run deploy, or name the settings file: --settings <file>.');
    expect(r.stdout).not.toContain('Type the stack name');
  });

  test('destroy without a terminal and without --confirm: says how to confirm, exit 2; a wrong name removes nothing, exit 1', async () => {
    const file = settingsFile(JSON.stringify({ region: 'eu-west-1', allowedCidrs: ['203.0.113.0/24'], stackName: 'kl-test' }));
    const noTty = await runCommand('backend/deploy/destroy.ts', ['--settings', file]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr.trim()).toBe('error: Nothing to type the stack name into (no terminal). Say it on the command line: npm run destroy -- --confirm kl-test');
    const wrong = await runCommand('backend/deploy/destroy.ts', ['--settings', file, '--confirm', 'keylaunch']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toBe('error: "keylaunch" is not the stack name; nothing was removed. Type kl-test to remove it.');
    expect(noTty.stderr + wrong.stderr).not.toMatch(STACK);
  });
});
