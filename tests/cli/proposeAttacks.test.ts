import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { cleanEnv, REPO, runCommand, STACK } from '../support/cliProcess';

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

describe('a verifier connection that drops in the middle of its answer', () => {
  // Headers and the start of a body, then the socket closes: fetch resolves, reading the body fails.
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"jobs":[');
      setImmediate(() => req.socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const token = `klp.AAAAAAAAAAAAAAAA.${'B'.repeat(43)}`;

  test('propose: unreachable (exit 3, one line), not "a bug" (70)', async () => {
    const r = await runCommand('backend/cli/propose.ts', ['echo', 'message=x'], cleanEnv({ KEYLAUNCH_URL: url, KEYLAUNCH_PROPOSER_TOKEN: token }));
    expect(r.stderr).toMatch(/unreachable/);
    expect(r.code).toBe(3);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test('mcp: a tool error the agent reads (unreachable), and no stack trace on stderr', async () => {
    const transport = new StdioClientTransport({ command: join(REPO, 'node_modules/.bin/tsx'), args: [join(REPO, 'backend/cli/mcp.ts')], env: cleanEnv({ KEYLAUNCH_URL: url, KEYLAUNCH_PROPOSER_TOKEN: token }) as Record<string, string>, cwd: REPO, stderr: 'pipe' });
    let stderr = '';
    transport.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    await client.connect(transport);
    try {
      const r: any = await client.callTool({ name: 'list_jobs', arguments: {} });
      expect(r.isError).toBe(true);
      expect(JSON.parse(r.content[0].text).error.code).toBe('unreachable');
    } finally {
      await client.close();
    }
    expect(stderr).not.toMatch(STACK);
  });
});
