import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startHarness, type Harness } from '../support/harness';
import { approvalHelpers, approvalJobs } from '../support/approvals';
import { cleanEnv, REPO, runCommand, STACK } from '../support/cliProcess';
import { issueProposer } from '../../backend/core/proposers';
import { systemRandom } from '../../backend/createVerifier';

/**
 * Issue 16 §2: `npm run propose` and `npm run mcp` as shipped (real processes), against a verifier on
 * real HTTP with dynalite. Each can only ask; a person's touch launches.
 */
let h: Harness;
let a: ReturnType<typeof approvalHelpers>;
let token: string;
beforeAll(async () => {
  h = await startHarness({ jobs: approvalJobs });
  a = approvalHelpers(h);
  token = (await issueProposer({ store: h.store, clock: h.clock, random: systemRandom }, { name: 'agent', jobs: ['echo', 'pair'], ttlHours: 1, createdBy: 'test' })).token;
});
afterAll(() => h.close());

const env = (extra: Record<string, string> = {}) => cleanEnv({ KEYLAUNCH_URL: h.url, KEYLAUNCH_PROPOSER_TOKEN: token, ...extra });
const propose = (args: string[], e = env()) => runCommand('backend/cli/propose.ts', args, e);

describe('npm run propose', () => {
  test('proposes with typed parameters; a person approves; nothing ran before', async () => {
    const before = a.launches();
    const r = await propose(['echo', 'message=from the cli', 'count=2', '--reason', 'ci asks']);
    expect(r.code, r.stderr).toBe(0);
    const id = /request (req_[0-9A-Z]+), fingerprint ([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(r.stdout);
    expect(id).not.toBeNull();
    const stored = await a.stored(id![1]!);
    expect(stored).toMatchObject({ params: { message: 'from the cli', count: 2 }, reason: 'ci asks', proposer: { name: 'agent' }, fingerprint: id![2] });
    expect(a.launches()).toBe(before);
    const bob = await a.person();
    expect((await a.decide(bob, id![1]!)).body.request.status).toBe('launched');
  });

  test.each([
    { args: ['admins-only'], extra: {}, code: 1, says: /proposer_not_allowed/ },
    { args: ['echo', 'count=9', 'message=x'], extra: {}, code: 1, says: /params_invalid/ },
    { args: ['echo', 'nokeyvalue'], extra: {}, code: 2, says: /"nokeyvalue" is not key=value/ },
    { args: [], extra: {}, code: 2, says: /Missing a job name/ },
    { args: ['echo'], extra: { KEYLAUNCH_PROPOSER_TOKEN: '' }, code: 3, says: /Set KEYLAUNCH_PROPOSER_TOKEN/ },
    { args: ['echo', 'message=x'], extra: { KEYLAUNCH_PROPOSER_TOKEN: 'klp.AAAAAAAAAAAAAAAA.' + 'B'.repeat(43) }, code: 3, says: /proposer_invalid/ },
  ])('$args → exit $code', async ({ args, extra, code, says }) => {
    const r = await propose(args, env(extra as Record<string, string>));
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(says);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });
});

describe('npm run mcp (stdio)', () => {
  test('list_jobs, propose_run and get_run; a refusal is a tool error, and only a touch launches', async () => {
    const transport = new StdioClientTransport({ command: join(REPO, 'node_modules/.bin/tsx'), args: [join(REPO, 'backend/cli/mcp.ts')], env: env() as Record<string, string>, cwd: REPO, stderr: 'pipe' });
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    await client.connect(transport);
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name).sort()).toEqual(['get_run', 'list_jobs', 'propose_run']);
      const read = (r: any) => JSON.parse(r.content[0].text);

      const jobs = read(await client.callTool({ name: 'list_jobs', arguments: {} }));
      expect(jobs.map((j: any) => j.name)).toEqual(['echo', 'pair']);

      const before = a.launches();
      const proposed = await client.callTool({ name: 'propose_run', arguments: { job: 'pair', params: { message: 'agent wants this' }, reason: 'the agent explains' } });
      expect(proposed.isError).toBeFalsy();
      const { request } = read(proposed);
      expect(request).toMatchObject({ status: 'pending', reason: 'the agent explains', missing: { people: 2 } });
      expect(a.launches()).toBe(before);

      const refused = await client.callTool({ name: 'propose_run', arguments: { job: 'admins-only', params: {}, reason: 'try' } });
      expect(refused.isError).toBe(true);
      expect(read(refused).error.code).toBe('proposer_not_allowed');

      const [bob, carol] = [await a.person(), await a.person()];
      await a.decide(bob, request.id);
      expect(read(await client.callTool({ name: 'get_run', arguments: { requestId: request.id } })).request.status).toBe('pending');
      await a.decide(carol, request.id);
      const got = read(await client.callTool({ name: 'get_run', arguments: { requestId: request.id } }));
      expect(got.request.status).toBe('launched');
      expect(got.run).toMatchObject({ id: expect.stringMatching(/^run_/), status: expect.any(String) });
      expect(a.launches()).toBe(before + 1);

      const other = await client.callTool({ name: 'get_run', arguments: { requestId: 'req_someone_else' } });
      expect(other.isError).toBe(true);
      expect(read(other).error.code).toBe('approval_unknown');
    } finally {
      await client.close();
    }
  });
});
