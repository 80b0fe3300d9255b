/**
 * `npm run bench`: speed as ratios against a baseline measured side by side in the same run (these
 * machines are shared and noisy, so absolute numbers mean little; the ratio is what to watch).
 *   (a) the verifier core's whole run approval (prepare + confirm) over in-memory ports, beside a bare
 *       verifyAuthenticationResponse of the same kind of assertion;
 *   (b) the same over dynalite, with the sequential storage round trips on the confirm path;
 *   (c) the Lambda bundle as deploy ships it: what a cold start reads (by package) and its init time
 *       (import + the session secret read) beside an empty handler's, both in the Lambda runtime stand-in;
 *   (d) the renderer bundle, gzipped;
 *   (e) end to end in Chromium: Run click to the rendered result, measured inside the page, beside (b);
 *   (f) a local job: from the confirmation to the run recorded `running` (the answer), beside the same
 *       confirmation with a launcher that does nothing plus a bare spawn of the same program;
 *   (g) the run page following 10,000 output lines in Chromium: its longest stall beside following none.
 *   (h) from a request's last approval to "launched", beside a one-touch confirm (tests/bench/lastApproval.ts).
 * Every figure with an aim gets a verdict (met / NOT met), summed up at the end.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createLocalLauncher } from '../../backend/adapters/launcher/localLauncher';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { buildLambda, readColdStart } from '../../build/buildLambda';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { createVerifier, systemClock, systemRandom } from '../../backend/createVerifier';
import { parseVerifierConfig } from '../../backend/core/config';
import { createInvite } from '../../backend/core/invites';
import { createDynamoStore } from '../../backend/adapters/dynamo/dynamoStore';
import { startLocalDynamo } from '../../backend/local/localDynamo';
import { jobDefinitionSchema } from '../../backend/core/job';
import type { JobCatalog, Launcher, Store } from '../../backend/core/ports';
import type { ApiRequest } from '../../backend/api/handleApiRequest';
import { MemoryStore } from '../support/memoryStore';
import { SoftAuthenticator } from '../support/softAuthenticator';
import { CHROMIUM, enrollAndUnlock, openJob, startDesktopE2e } from '../support/desktopE2e';
import { FAKE_CREDENTIALS, startAwsFakes } from '../support/awsFakes';
import { startLambdaProcess } from '../support/lambdaProcess';
import { benchFollow } from './followBench';

const ORIGIN = 'https://keylaunch.test';
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
const config = parseVerifierConfig({
  rpId: 'keylaunch.test',
  origins: [ORIGIN],
  sessionSecret: randomBytes(32).toString('base64'),
  allowedCidrs: ['127.0.0.1/32'],
  rateLimit: { windowSeconds: 60, maxFailuresPerIp: 1e9, maxFailuresPerUser: 1e9 },
});
const job = jobDefinitionSchema.parse({ name: 'deploy', title: 'Deploy', type: 'local', params: [{ name: 'env', type: 'enum', values: ['staging', 'prod'] }], allow: { roles: ['operator'] }, target: { argv: ['true'] } });
const catalog: JobCatalog = {
  listJobs: async () => [{ name: 'deploy', available: true, job, versions: { invoke: '1' } }],
  getJob: async () => ({ name: 'deploy', available: true, job, versions: { invoke: '1' } }),
};
// Launching is the job's cost, not the verifier's: the bench launcher does nothing.
const launcher: Launcher = { launch: async () => ({ status: 'accepted', details: { launcher: 'bench', summary: 'accepted' } }) };

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const ms = (n: number) => `${n.toFixed(3)} ms`;
const verdicts: string[] = [];
/** Prints a figure against its aim (lower is better) and keeps the verdict for the summary. */
function verdict(label: string, value: number, aim: number, unit = '') {
  const line = `${label}: ${value.toFixed(2)}${unit} (aim <= ${aim}${unit}) -> ${value <= aim ? 'met' : 'NOT met'}`;
  verdicts.push(line);
  console.log(`    ${line}`);
}

async function setup(store: Store, launchers: Record<string, Launcher> = { local: launcher }) {
  const verifier = createVerifier({ config, store, catalog, launchers, clock: systemClock, random: systemRandom, log: () => undefined });
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const req: ApiRequest = { method, path, query: {}, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body), sourceIp: '127.0.0.1' };
    const res = await verifier.handle(req);
    if (res.status !== 200) throw new Error(`${path}: ${res.body}`);
    return JSON.parse(res.body);
  };
  const key = new SoftAuthenticator(ORIGIN);
  const { code } = await createInvite({ store, clock: systemClock, random: systemRandom }, { userName: 'bench', role: 'operator', createdBy: 'bench', ttlHours: 1 });
  const enroll = await call('POST', '/v1/enroll/options', { inviteCode: code });
  await call('POST', '/v1/enroll/verify', { intentId: enroll.intentId, registration: key.register(enroll.options), label: 'k' });
  const unlock = await call('POST', '/v1/unlock/options', { userName: 'bench' });
  const { session } = await call('POST', '/v1/unlock/verify', { intentId: unlock.intentId, assertion: key.assert(unlock.options) });
  return { call, key, token: session.token as string, publicKey: async () => (await store.getUserByName('bench'))! };
}

/** One whole approval; returns the core's time (prepare + confirm), excluding the authenticator's signing. */
async function approval(s: Awaited<ReturnType<typeof setup>>, onConfirm?: () => void) {
  let t = performance.now();
  const prep = await s.call('POST', '/v1/runs/prepare', { job: 'deploy', params: { env: 'staging' } }, s.token);
  let elapsed = performance.now() - t;
  const assertion = s.key.assert(prep.options);
  onConfirm?.();
  t = performance.now();
  await s.call('POST', '/v1/runs/confirm', { intentId: prep.intentId, assertion }, s.token);
  return elapsed + (performance.now() - t);
}

async function benchCore() {
  const store = new MemoryStore();
  const s = await setup(store);
  const user = await s.publicKey();
  const cred = (await store.getUserWithCredentials(user.id))!.credentials[0]!;
  const pk = new Uint8Array(Buffer.from(cred.publicKey, 'base64url'));
  const core: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < ITERATIONS + 30; i++) {
    // Side by side: one bare verification, then one whole approval, alternating.
    const challenge = randomBytes(32).toString('base64url');
    const assertion = s.key.assert({ challenge, rpId: 'keylaunch.test', allowCredentials: [{ id: cred.id, type: 'public-key' }] });
    const t = performance.now();
    await verifyAuthenticationResponse({ response: assertion, expectedChallenge: challenge, expectedOrigin: ORIGIN, expectedRPID: 'keylaunch.test', credential: { id: cred.id, publicKey: pk, counter: 0 }, requireUserVerification: false });
    const b = performance.now() - t;
    const c = await approval(s);
    if (i >= 30) {
      bare.push(b);
      core.push(c);
    }
  }
  const p50 = quantile(core, 0.5) / quantile(bare, 0.5);
  console.log(`(a) run approval over in-memory ports, ${ITERATIONS} runs`);
  console.log(`    core (prepare + confirm): p50 ${ms(quantile(core, 0.5))}  p99 ${ms(quantile(core, 0.99))}`);
  console.log(`    bare verifyAuthenticationResponse: p50 ${ms(quantile(bare, 0.5))}  p99 ${ms(quantile(bare, 0.99))}`);
  console.log(`    ratio p99 ${(quantile(core, 0.99) / quantile(bare, 0.99)).toFixed(2)}`);
  verdict('(a) core approval / bare verification, p50', p50, 1.5);
}

async function benchDynalite() {
  const dynamo = await startLocalDynamo({ tableName: 'kl-bench' });
  // Count "waves": a storage call that starts while none is in flight begins a new sequential round trip.
  let inFlight = 0;
  let waves = 0;
  let calls = 0;
  const counting = {
    send: async (command: any) => {
      if (inFlight++ === 0) waves++;
      if (process.env.BENCH_TRACE) console.log(`    wave ${waves}: ${command.operation} ${JSON.stringify(command.input.Key ?? command.input.Item?.pk ?? command.input.ExpressionAttributeValues?.[":pk"] ?? "").slice(0, 60)}`);
      calls++;
      try {
        return await dynamo.documents.send(command);
      } finally {
        inFlight--;
      }
    },
  } as unknown as typeof dynamo.documents;
  const s = await setup(createDynamoStore({ client: counting, tableName: 'kl-bench' }));
  const times: number[] = [];
  const n = Math.max(20, Math.floor(ITERATIONS / 3));
  for (let i = 0; i < n + 10; i++) {
    const t = await approval(s);
    if (i >= 10) times.push(t);
  }
  let wavesAtConfirm = 0;
  let callsAtConfirm = 0;
  await approval(s, () => {
    wavesAtConfirm = waves;
    callsAtConfirm = calls;
  });
  console.log(`(b) run approval over dynalite (real DynamoDB protocol on loopback), ${n} runs`);
  console.log(`    core (prepare + confirm): p50 ${ms(quantile(times, 0.5))}  p99 ${ms(quantile(times, 0.99))}`);
  console.log(`    confirm path: ${calls - callsAtConfirm} storage calls`);
  verdict('(b) sequential storage round trips on confirm', waves - wavesAtConfirm, 4);
  await dynamo.close();
  return quantile(times, 0.5);
}

async function benchBundle() {
  const dir = resolve('node_modules/.cache/keylaunch-bench');
  mkdirSync(dir, { recursive: true });
  // The deploy's own bundle, copied alone into a task folder as Lambda holds it; an empty handler beside it.
  const outdir = await buildLambda(join(dir, 'lambda'));
  const taskRoot = mkdtempSync(join(tmpdir(), 'kl-bench-task-'));
  cpSync(outdir, taskRoot, { recursive: true });
  const emptyRoot = mkdtempSync(join(tmpdir(), 'kl-bench-empty-'));
  writeFileSync(join(emptyRoot, 'index.mjs'), 'export const handler = async () => ({ statusCode: 200, body: "" });\n');
  // Init reads the session secret: a Secrets Manager stand-in on loopback answers it.
  const aws = await startAwsFakes({ region: 'eu-west-1' });
  const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bench';
  await new SecretsManagerClient({ region: 'eu-west-1', endpoint: aws.env.AWS_ENDPOINT_URL_SECRETS_MANAGER, credentials: FAKE_CREDENTIALS }).send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: 'b'.repeat(64) }));
  const env = {
    ...aws.env,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    KEYLAUNCH_TABLE: 'bench',
    KEYLAUNCH_SSM_PREFIX: '/bench',
    KEYLAUNCH_SESSION_SECRET_ARN: secretArn,
    KEYLAUNCH_AUDIT_KEY_ID: 'bench-audit-key', // the stack sets it; a cold start never calls KMS
    KEYLAUNCH_CONFIG: JSON.stringify({ rpId: 'keylaunch.test', origins: [ORIGIN], allowedCidrs: ['0.0.0.0/0'] }),
  };
  const init = async (root: string) => {
    const fn = await startLambdaProcess({ taskRoot: root, env });
    await fn.close();
    return fn.initMs;
  };
  const handler: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < 11; i++) {
    baseline.push(await init(emptyRoot));
    handler.push(await init(taskRoot));
  }
  await aws.close();
  const start = await readColdStart(outdir);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`(c) the Lambda bundle as deploy ships it (build/buildLambda.ts), in the Lambda runtime stand-in, node ${process.version}`);
  console.log(`    a cold start reads ${kb(start.bytes)} in ${start.files.length} files; by package:`);
  const packages = Object.entries(start.byPackage).sort((a, b) => b[1] - a[1]);
  for (const [pkg, bytes] of packages.slice(0, 12)) console.log(`      ${pkg.padEnd(36)} ${kb(bytes).padStart(9)}`);
  const rest = packages.slice(12).reduce((n, [, b]) => n + b, 0);
  if (rest) console.log(`      ${`(${packages.length - 12} more)`.padEnd(36)} ${kb(rest).padStart(9)}`);
  console.log(`    init (import + secret read) p50 ${ms(quantile(handler, 0.5))} beside an empty handler's ${ms(quantile(baseline, 0.5))}`);
  verdict('(c) cold start size', start.bytes / 1024, 400, ' KB');
  verdict('(c) init / empty handler init, p50', quantile(handler, 0.5) / quantile(baseline, 0.5), 12);
}

async function benchRenderer() {
  const { buildDesktop } = await import('../../build/buildDesktop');
  await buildDesktop({ quiet: true });
  const assets = readdirSync('dist/renderer/assets');
  const gz = (ext: string) => assets.filter((f) => f.endsWith(ext)).reduce((n, f) => n + gzipSync(readFileSync(join('dist/renderer/assets', f))).length, 0) / 1024;
  console.log(`(d) renderer bundle, gzipped: JS ${gz('.js').toFixed(1)} KB, CSS ${gz('.css').toFixed(1)} KB`);
  verdict('(d) renderer JS, gzipped', gz('.js'), 150, ' KB');
}

async function benchEndToEnd(approvalOverDynalite: number) {
  if (!existsSync(CHROMIUM)) return console.log(`(e) end to end: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  // The job itself is not the desktop's cost: the bench job launches instantly, as in (b).
  const e = await startDesktopE2e({ userName: 'bench', harness: { launchers: { local: launcher } } });
  try {
    const key = await e.addKey();
    await enrollAndUnlock(e, 'bench');
    const [credential] = (await e.cdp.send('WebAuthn.getCredentials', { authenticatorId: key })).credentials;
    const bare: number[] = [];
    const inPage: number[] = [];
    const driven: number[] = [];
    const n = Number(process.env.BENCH_E2E_RUNS ?? 12);
    for (let i = 0; i < n + 2; i++) {
      // A bare ceremony in the same page: navigator.credentials.get against the same virtual key.
      const b = await e.page.evaluate(async (id) => {
        const raw = Uint8Array.from(atob(id.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
        const t = performance.now();
        await navigator.credentials.get({ publicKey: { rpId: 'keylaunch.test', challenge: crypto.getRandomValues(new Uint8Array(32)), allowCredentials: [{ type: 'public-key', id: raw }], userVerification: 'discouraged', timeout: 10_000 } });
        return performance.now() - t;
      }, credential!.credentialId);
      await openJob(e, /Echo parameters/, { 'message (required)': `bench ${i}` });
      // Inside the page: from the click event to the frame where the result's heading exists.
      await e.page.evaluate(() => {
        const w = window as unknown as { __bench: { clicked?: number; shown?: number } };
        w.__bench = {};
        document.addEventListener('click', () => (w.__bench.clicked ??= performance.now()), { capture: true, once: true });
        const seen = new MutationObserver(() => {
          if (document.querySelector('section.run')) {
            w.__bench.shown = performance.now();
            seen.disconnect();
          }
        });
        seen.observe(document.body, { childList: true, subtree: true, characterData: true });
      });
      const t = performance.now();
      await e.page.getByRole('button', { name: 'Review and run' }).click();
      await e.page.locator('section.run').waitFor({ timeout: 15_000 });
      const w = performance.now() - t;
      const page = await e.page.evaluate(() => (window as unknown as { __bench: { clicked: number; shown: number } }).__bench);
      if (i >= 2) {
        bare.push(b);
        driven.push(w);
        inPage.push(page.shown - page.clicked);
      }
    }
    console.log(`(e) end to end in Chromium (renderer, main's handlers, verifier over HTTP, dynalite; the job launches instantly), ${n} runs`);
    console.log(`    in the page, Run click -> result shown: p50 ${ms(quantile(inPage, 0.5))}  p99 ${ms(quantile(inPage, 0.99))}`);
    console.log(`    the verifier's approval over dynalite alone, from (b): p50 ${ms(approvalOverDynalite)}`);
    console.log(`    as Playwright sees it (its click and polling included): p50 ${ms(quantile(driven, 0.5))}`);
    console.log(`    a bare WebAuthn ceremony in the same page: p50 ${ms(quantile(bare, 0.5))}`);
    verdict('(e) in-page run / approval over dynalite, p50', quantile(inPage, 0.5) / approvalOverDynalite, 1.5);
  } finally {
    await e.close();
  }
}

/** (f) Issue 12: a confirmation answers once a local job has started; what does starting add? */
async function benchStarted() {
  const real = await setup(new MemoryStore(), { local: createLocalLauncher() });
  const noop = await setup(new MemoryStore(), { local: launcher });
  const bareSpawn = () =>
    new Promise<number>((resolve, reject) => {
      const t = performance.now();
      const child = spawn('true', [], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child.once('error', reject);
      child.once('spawn', () => resolve(performance.now() - t));
    });
  const confirm = async (s: Awaited<ReturnType<typeof setup>>) => {
    const prep = await s.call('POST', '/v1/runs/prepare', { job: 'deploy', params: { env: 'staging' } }, s.token);
    const assertion = s.key.assert(prep.options);
    const t = performance.now();
    const { run } = await s.call('POST', '/v1/runs/confirm', { intentId: prep.intentId, assertion }, s.token);
    return { ms: performance.now() - t, status: run.status as string };
  };
  const started: number[] = [];
  const baseline: number[] = [];
  const n = Math.max(30, Math.floor(ITERATIONS / 3));
  for (let i = 0; i < n + 10; i++) {
    const r = await confirm(real);
    if (r.status !== 'running') throw new Error(`(f) the confirmation answered ${r.status}, not running`);
    const b = (await confirm(noop)).ms + (await bareSpawn());
    if (i >= 10) {
      started.push(r.ms);
      baseline.push(b);
    }
  }
  console.log(`(f) local job, confirmation -> run \`running\` (in-memory store, the program is \`true\`), ${n} runs`);
  console.log(`    confirm with the local launcher: p50 ${ms(quantile(started, 0.5))}  p99 ${ms(quantile(started, 0.99))}`);
  console.log(`    baseline (confirm with a launcher that does nothing + a bare spawn): p50 ${ms(quantile(baseline, 0.5))}`);
  verdict('(f) confirm -> running / (confirm doing nothing + bare spawn), p50', quantile(started, 0.5) / quantile(baseline, 0.5), 1.5);
}

// BENCH_ONLY=c (or a,c,e): just those figures ((e) needs (b) and runs it too).
const only = process.env.BENCH_ONLY?.split(',');
const wanted = (part: string) => !only || only.includes(part) || (part === 'b' && only.includes('e'));
console.log(`keylaunch bench (node ${process.version})\n`);
if (wanted('a')) await benchCore();
const approvalOverDynalite = wanted('b') ? await benchDynalite() : 0;
if (wanted('c')) await benchBundle();
if (wanted('d')) await benchRenderer();
if (wanted('e')) await benchEndToEnd(approvalOverDynalite);
if (wanted('f')) await benchStarted();
if (wanted('g')) await benchFollow(verdict);
if (wanted('h')) await (await import('./lastApproval')).benchLastApproval(ITERATIONS, verdict);
console.log(`\nverdicts:\n${verdicts.map((v) => `  ${v}`).join('\n')}`);
