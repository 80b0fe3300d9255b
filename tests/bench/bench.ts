/**
 * `npm run bench`: speed as ratios against a baseline measured side by side in the same run (these
 * machines are shared and noisy, so absolute numbers mean little; the ratio is what to watch).
 *   (a) the verifier core's whole run approval (prepare + confirm) over in-memory ports, beside a bare
 *       verifyAuthenticationResponse of the same kind of assertion;
 *   (b) the same over dynalite, with the sequential storage round trips on the confirm path;
 *   (c) the bundled Lambda handler's size, and its import time beside an empty module's.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { buildLambda } from '../../build/buildLambda';
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

async function setup(store: Store) {
  const verifier = createVerifier({ config, store, catalog, launchers: { local: launcher }, clock: systemClock, random: systemRandom, log: () => undefined });
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
  console.log(`    ratio p50 ${p50.toFixed(2)} (aim <= 1.5)   ratio p99 ${(quantile(core, 0.99) / quantile(bare, 0.99)).toFixed(2)}`);
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
  console.log(`    confirm path: ${waves - wavesAtConfirm} sequential storage round trips (aim <= 4), ${calls - callsAtConfirm} storage calls`);
  await dynamo.close();
}

async function benchBundle() {
  const dir = resolve('node_modules/.cache/keylaunch-bench');
  mkdirSync(dir, { recursive: true });
  const empty = join(dir, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  // The deploy's own bundle (build/buildLambda.ts): what a cold start loads is the entry and its static chunks.
  const out = join(await buildLambda(join(dir, 'lambda')), 'index.mjs');
  const env = { ...process.env, AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', KEYLAUNCH_CONFIG: JSON.stringify({ rpId: 'keylaunch.test', origins: [ORIGIN], sessionSecret: randomBytes(32).toString('base64'), allowedCidrs: ['0.0.0.0/0'] }) };
  const importMs = (file: string) =>
    Number(execFileSync(process.execPath, ['--input-type=module', '-e', `const t=performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now()-t)`], { env }).toString());
  const handler: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < 7; i++) {
    baseline.push(importMs(empty));
    handler.push(importMs(out));
  }
  const size = (f: string) => statSync(f).size / 1024;
  const chunks = readdirSync(join(dir, 'lambda', 'chunks')).filter((f) => f.endsWith('.mjs')).map((f) => join(dir, 'lambda', 'chunks', f));
  // What a cold start reads: the entry and the closure of its static imports (`from"./…"`), not `import(…)`.
  const loadedAtStart = new Set<string>();
  const visit = (file: string) => {
    if (loadedAtStart.has(file)) return;
    loadedAtStart.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/from\s*"(\.[^"]+\.mjs)"/g)) visit(resolve(dirname(file), m[1]!));
  };
  visit(out);
  const startKb = [...loadedAtStart].reduce((n, f) => n + size(f), 0);
  const allKb = [out, ...chunks].reduce((n, f) => n + size(f), 0);
  console.log(`(c) bundled Lambda handler (build/buildLambda.ts: esbuild, minified, node22 ESM, split; aim <= 400 KB)`);
  console.log(`    loaded at a cold start: ${startKb.toFixed(0)} KB (entry + static chunks); all chunks with every launcher: ${allKb.toFixed(0)} KB`);
  console.log(`    import p50 ${ms(quantile(handler, 0.5))} beside an empty module's ${ms(quantile(baseline, 0.5))} (ratio ${(quantile(handler, 0.5) / quantile(baseline, 0.5)).toFixed(1)})`);
}

async function benchRenderer() {
  const { buildDesktop } = await import('../../build/buildDesktop');
  await buildDesktop({ quiet: true });
  const assets = readdirSync('dist/renderer/assets');
  const gz = (ext: string) => assets.filter((f) => f.endsWith(ext)).reduce((n, f) => n + gzipSync(readFileSync(join('dist/renderer/assets', f))).length, 0) / 1024;
  console.log(`(d) renderer bundle, gzipped: JS ${gz('.js').toFixed(1)} KB (aim <= 150 KB), CSS ${gz('.css').toFixed(1)} KB`);
}

async function benchEndToEnd() {
  if (!existsSync(CHROMIUM)) return console.log(`(e) end to end: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  const e = await startDesktopE2e({ userName: 'bench' });
  try {
    const key = await e.addKey();
    await enrollAndUnlock(e, 'bench');
    const [credential] = (await e.cdp.send('WebAuthn.getCredentials', { authenticatorId: key })).credentials;
    const bare: number[] = [];
    const whole: number[] = [];
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
      const t = performance.now();
      await e.page.getByRole('button', { name: 'Review and run' }).click();
      await e.page.getByRole('heading', { name: 'Launched' }).waitFor({ timeout: 15_000 });
      const w = performance.now() - t;
      if (i >= 2) {
        bare.push(b);
        whole.push(w);
      }
    }
    console.log(`(e) end to end in Chromium (renderer, main's handlers, verifier over HTTP, dynalite, a local job), ${n} runs`);
    console.log(`    Run -> "launched": p50 ${ms(quantile(whole, 0.5))}  p99 ${ms(quantile(whole, 0.99))}`);
    console.log(`    bare WebAuthn ceremony in the same page: p50 ${ms(quantile(bare, 0.5))}  (ratio ${(quantile(whole, 0.5) / quantile(bare, 0.5)).toFixed(1)})`);
    const jobTimes = (await e.harness.store.listRuns({ limit: n })).items.map((r) => Number(r.launch?.durationMs ?? 0));
    console.log(`    of which the job itself (spawning node, as recorded in the runs): p50 ${ms(quantile(jobTimes, 0.5))}`);
  } finally {
    await e.close();
  }
}

console.log(`keylaunch bench (node ${process.version})\n`);
await benchCore();
await benchDynalite();
await benchBundle();
await benchRenderer();
await benchEndToEnd();
