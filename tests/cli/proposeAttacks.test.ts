import { describe, expect, test } from 'vitest';
import { cleanEnv, runCommand, STACK } from '../support/cliProcess';

/**
 * Hostile settings for `npm run propose` and `npm run mcp` (issue 16 §2): a token pasted with a stray
 * character is a secret; no error may print it (CI logs keep stderr), and each refuses it before any call.
 */
const near = `klp.AAAAAAAAAAAAAAAA.${'B'.repeat(42)}’`; // a smart quote from a copy and paste
const env = (token: string) => cleanEnv({ KEYLAUNCH_URL: 'http://127.0.0.1:9', KEYLAUNCH_PROPOSER_TOKEN: token });

describe('a malformed proposer token', () => {
  test.each([
    ['propose', 'backend/cli/propose.ts', ['echo', 'message=x']],
    ['mcp', 'backend/cli/mcp.ts', []],
  ])('%s: exit 3, says what is wrong, never prints the token', async (_name, entry, args) => {
    const r = await runCommand(entry, args, env(near));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/KEYLAUNCH_PROPOSER_TOKEN/);
    expect(r.stderr + r.stdout).not.toContain('BBBBBBBB');
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test('the other way: a well-formed token goes on to the verifier (here unreachable, exit 3 as setup)', async () => {
    const r = await runCommand('backend/cli/propose.ts', ['echo', 'message=x'], env(`klp.AAAAAAAAAAAAAAAA.${'B'.repeat(43)}`));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/unreachable/);
    expect(r.stderr).not.toContain('BBBBBBBB');
  });
});
