import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jobDefinitionSchema } from '../../backend/core/job';
import { fillPlaceholders } from '../../backend/core/placeholders';

/** The README's example job is valid as printed, and its program runs as the local launcher would run it. */
describe('the README example job', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Job definitions'));
  const example = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(section)![1]!);

  it('is a valid job definition', () => {
    const parsed = jobDefinitionSchema.safeParse(example);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it('runs: its argv, filled in, greets as many times as asked', () => {
    const [program, ...args] = (example.target.argv as string[]).map((a) => fillPlaceholders(a, { who: 'Ada Lovelace', times: 2 }));
    expect(program).toBe('node');
    const out = execFileSync(process.execPath, args, { cwd: example.target.cwd, env: { PATH: process.env.PATH ?? '', KEYLAUNCH_SECRET_OTP: '123456' }, encoding: 'utf8' });
    expect(out).toBe('Hello, Ada Lovelace!\nHello, Ada Lovelace!\n(an MFA code came with the run; a real job would use it now)\n');
  });
});
