import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runCommand, STACK } from '../support/cliProcess';
import { SoftAuthenticator } from '../support/softAuthenticator';
import { startLocalMode } from '../../backend/local/localMode';
import { createInvite } from '../../backend/core/invites';
import { systemClock, systemRandom } from '../../backend/createVerifier';

/**
 * `npm run verify`, as a person runs it, against local mode's real data folder: a run approved through
 * local mode's verifier with the software authenticator, then checked by a separate process that trusts
 * keys only from the data folder or an export.
 */
const verify = (args: string[], env: NodeJS.ProcessEnv) => runCommand('backend/cli/verify.ts', args, env);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

let dataDir: string;
let env: NodeJS.ProcessEnv;
let work: string;
let runFile: string;
let revokedRunFile: string;
let runId: string;
let port: number;

/** Approves and runs `hello` in local mode; returns GET /v1/runs/{id}'s answer. Optionally revokes the key afterwards. */
async function runInLocalMode(local: Awaited<ReturnType<typeof startLocalMode>>, origin: string, userName: string, revoke: boolean) {
  const api = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(local.url + path, { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const authenticator = new SoftAuthenticator(origin);
  const { code } = await createInvite({ store: local.store, clock: systemClock, random: systemRandom }, { userName, role: 'operator', createdBy: 'test', ttlHours: 1 });
  const enroll = await api('POST', '/v1/enroll/options', { inviteCode: code });
  const registration = authenticator.register(enroll.body.options);
  expect((await api('POST', '/v1/enroll/verify', { intentId: enroll.body.intentId, registration, label: 'primary' })).status).toBe(200);
  const unlockOptions = await api('POST', '/v1/unlock/options', { userName });
  const unlocked = await api('POST', '/v1/unlock/verify', { intentId: unlockOptions.body.intentId, assertion: authenticator.assert(unlockOptions.body.options) });
  const token = unlocked.body.session.token as string;
  const prep = await api('POST', '/v1/runs/prepare', { job: 'hello', params: { who: 'Ada', times: 2 } }, token);
  const confirmed = await api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: authenticator.assert(prep.body.options) }, token);
  // Confirm answers once the job has started; the run as the API shows it after the job has ended.
  expect(['running', 'succeeded']).toContain(confirmed.body.run?.status);
  let answer = await api('GET', `/v1/runs/${confirmed.body.run.id}`, undefined, token);
  for (let i = 0; i < 150 && answer.body.run.status === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    answer = await api('GET', `/v1/runs/${confirmed.body.run.id}`, undefined, token);
  }
  expect(answer.body.run.status).toBe('succeeded');
  if (revoke) {
    const options = await api('POST', '/v1/keys/revoke/options', { credentialId: registration.id, allowLastKey: true }, token);
    expect((await api('POST', '/v1/keys/revoke/verify', { intentId: options.body.intentId, assertion: authenticator.assert(options.body.approval) }, token)).status).toBe(200);
  }
  return answer.body;
}

beforeAll(async () => {
  env = cleanEnv();
  dataDir = env.KEYLAUNCH_DATA!;
  work = mkdtempSync(join(tmpdir(), 'kl-verify-'));
  port = await freePort();
  const settings = { sessionSecret: Buffer.alloc(32, 9).toString('base64'), verifierPort: port, adminName: 'admin' };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'local.json'), JSON.stringify(settings));
  const local = await startLocalMode({ dataDir, settings, jobsFile: 'jobs/local.jobs.json' });
  try {
    const answer = await runInLocalMode(local, `http://localhost:${port}`, 'alice', false);
    runId = answer.run.id;
    runFile = join(work, 'run.json');
    writeFileSync(runFile, JSON.stringify(answer, null, 2));
    revokedRunFile = join(work, 'revoked-run.json');
    writeFileSync(revokedRunFile, JSON.stringify(await runInLocalMode(local, `http://localhost:${port}`, 'bob', true)));
  } finally {
    await local.close();
  }
}, 90_000);

// Each command is a process that opens the data folder: bound the tests generously on a loaded machine.
describe('npm run verify receipt', { timeout: 90_000 }, () => {
  test('a genuine run verifies against the data folder: what, by whom, when; exit 0', async () => {
    const r = await verify(['receipt', runFile], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Verified: run ${runId} was approved by alice with key "primary"`));
    expect(r.stdout).toMatch(/job:\s+hello/);
    expect(r.stdout).toMatch(/params:\s+times=2 who="Ada"/);
    expect(r.stdout).toMatch(/at:\s+http:\/\/localhost:\d+ \(rpId localhost\)/);
    expect(r.stdout).toMatch(/key:\s+active/);
  });

  test('a revoked key: still verifies, and says since when it is revoked', async () => {
    const r = await verify(['receipt', revokedRunFile], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/approved by bob/);
    expect(r.stdout).toMatch(/key:\s+revoked since \d{4}-\d{2}-\d{2}T/);
  });

  test('one byte changed: exit 1, one line with the exact reason, no stack', async () => {
    const answer = JSON.parse(readFileSync(runFile, 'utf8'));
    const signature = Buffer.from(answer.run.receipt.signature, 'base64url');
    signature[10]! ^= 1;
    answer.run.receipt.signature = signature.toString('base64url');
    const file = join(work, 'tampered.json');
    writeFileSync(file, JSON.stringify(answer));
    const r = await verify(['receipt', file], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(new RegExp(`^error: Run ${runId} does not verify: The signature does not verify with key .* from the verifier's records \\(bad_signature\\)\\.$`));
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test('keys come from the verifier, not the file: an export verifies it from an empty data folder, and a data folder without the key refuses it', async () => {
    const exported = await verify(['export'], env);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ kind: 'verifier', rpId: 'localhost' });
    expect(lines.filter((l) => l.kind === 'key').map((l) => l.userName).sort()).toEqual(['alice', 'bob']);
    expect(lines.some((l) => l.kind === 'run' && l.run.id === runId)).toBe(true);
    expect(lines.some((l) => l.kind === 'audit' && l.entry.action === 'run.confirm')).toBe(true);
    const keysFile = join(work, 'export.jsonl');
    writeFileSync(keysFile, exported.stdout);
    const elsewhere = cleanEnv();
    const fromExport = await verify(['receipt', runFile, '--keys', keysFile], elsewhere);
    expect(fromExport.code).toBe(0);
    expect(fromExport.stdout).toMatch(/approved by alice/);

    // An export without alice's key (bob's only): the run's own fields cannot stand in for it.
    const withoutAlice = join(work, 'without-alice.jsonl');
    writeFileSync(withoutAlice, lines.filter((l) => !(l.kind === 'key' && l.userName === 'alice')).map((l) => JSON.stringify(l)).join('\n'));
    const refused = await verify(['receipt', runFile, '--keys', withoutAlice], elsewhere);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(/does not verify: The verifier's records have no key .* \(key_unknown\)\.$/);

    // Another verifier's identity given on the command line: refused, whichever part differs.
    const otherOrigin = await verify(['receipt', runFile, '--keys', keysFile, '--rp-id', 'localhost', '--origin', 'https://keylaunch.example.com'], elsewhere);
    expect(otherOrigin.code).toBe(1);
    expect(otherOrigin.stderr.trim()).toMatch(/The key signed for origin http:\/\/localhost:\d+, not this verifier's \(https:\/\/keylaunch\.example\.com\) \(wrong_origin\)\.$/);
    const otherRp = await verify(['receipt', runFile, '--keys', keysFile, '--rp-id', 'example.localhost', '--origin', `http://localhost:${port}`], elsewhere);
    expect(otherRp.code).toBe(1);
    expect(otherRp.stderr.trim()).toMatch(/\(wrong_rp_id\)\.$/);
  });

  test.each([
    { args: ['receipt'], code: 2, says: /^error: receipt needs a run file\. Run `npm run verify -- --help` for usage\.$/ },
    { args: ['receipt', 'a.json', 'b.json'], code: 2, says: /Unexpected argument "b\.json"/ },
    { args: ['frobnicate'], code: 2, says: /Unknown command "frobnicate"/ },
    { args: ['receipt', 'x.json', '--rp-id', 'localhost'], code: 2, says: /--rp-id and --origin go together/ },
    { args: ['export', '--since', 'yesterday'], code: 2, says: /--since must be a date like 2026-11-01/ },
  ])('$args → exit $code', async ({ args, code, says }) => {
    const r = await verify(args, env);
    expect(r.code).toBe(code);
    expect(r.stderr.trim()).toMatch(says);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('a file that is not JSON, or not a run: exit 1 with why', async () => {
    const notJson = join(work, 'not.json');
    writeFileSync(notJson, 'run_01 by alice');
    const a = await verify(['receipt', notJson], env);
    expect(a.code).toBe(1);
    expect(a.stderr.trim()).toMatch(/is not JSON/);
    const notRun = join(work, 'not-run.json');
    writeFileSync(notRun, JSON.stringify({ run: { id: 'run_x' } }));
    const b = await verify(['receipt', notRun], env);
    expect(b.code).toBe(1);
    expect(b.stderr.trim()).toMatch(/^error: Run run_x does not verify: This is not a run as GET \/v1\/runs\/\{id\} answers it: .*\(receipt_malformed\)\.$/);
  });

  test('--help lists the commands and exit codes, exit 0', async () => {
    const r = await verify(['--help'], env);
    expect(r.code).toBe(0);
    for (const word of ['receipt <run.json>', 'export [--since <date>]', '--keys <file>', 'Exit codes']) expect(r.stdout).toContain(word);
  });
});
