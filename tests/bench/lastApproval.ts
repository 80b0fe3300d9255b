import { randomBytes } from 'node:crypto';
import { createVerifier, systemClock, systemRandom } from '../../backend/createVerifier';
import { parseVerifierConfig } from '../../backend/core/config';
import { createInvite } from '../../backend/core/invites';
import { createDynamoStore } from '../../backend/adapters/dynamo/dynamoStore';
import { startLocalDynamo } from '../../backend/local/localDynamo';
import { jobDefinitionSchema } from '../../backend/core/job';
import type { JobCatalog, Launcher } from '../../backend/core/ports';
import type { ApiRequest } from '../../backend/api/handleApiRequest';
import { SoftAuthenticator } from '../support/softAuthenticator';

/**
 * (h) Issue 16: from the last required approval to "launched" — the approve/verify call that launches —
 * beside a one-touch confirmation of the same job without approvals, alternating in the same run, over dynalite.
 */
const ORIGIN = 'https://keylaunch.test';
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

export async function benchLastApproval(iterations: number, verdict: (label: string, value: number, aim: number) => void) {
  const config = parseVerifierConfig({
    rpId: 'keylaunch.test',
    origins: [ORIGIN],
    sessionSecret: randomBytes(32).toString('base64'),
    allowedCidrs: ['127.0.0.1/32'],
    rateLimit: { windowSeconds: 60, maxFailuresPerIp: 1e9, maxFailuresPerUser: 1e9 },
  });
  const base = { title: 'Deploy', type: 'local', params: [{ name: 'env', type: 'enum', values: ['staging', 'prod'] }], allow: { roles: ['operator'] }, target: { argv: ['true'] } };
  const entries = [
    { name: 'deploy', available: true as const, job: jobDefinitionSchema.parse({ ...base, name: 'deploy' }), versions: { invoke: '1' } },
    { name: 'deploy-two', available: true as const, job: jobDefinitionSchema.parse({ ...base, name: 'deploy-two', approvals: { min: 1 } }), versions: { invoke: '1' } },
  ];
  const catalog: JobCatalog = { listJobs: async () => entries, getJob: async (name) => entries.find((e) => e.name === name) };
  const launcher: Launcher = { launch: async () => ({ status: 'accepted', details: { launcher: 'bench', summary: 'accepted' } }) };
  const dynamo = await startLocalDynamo({ tableName: 'kl-bench-f' });
  const store = createDynamoStore({ client: dynamo.documents, tableName: 'kl-bench-f' });
  const verifier = createVerifier({ config, store, catalog, launchers: { local: launcher }, clock: systemClock, random: systemRandom, log: () => undefined });
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const req: ApiRequest = { method, path, query: {}, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body), sourceIp: '127.0.0.1' };
    const res = await verifier.handle(req);
    if (res.status !== 200) throw new Error(`${path}: ${res.body}`);
    return JSON.parse(res.body);
  };
  const person = async (name: string) => {
    const key = new SoftAuthenticator(ORIGIN);
    const { code } = await createInvite({ store, clock: systemClock, random: systemRandom }, { userName: name, role: 'operator', createdBy: 'bench', ttlHours: 1 });
    const enroll = await call('POST', '/v1/enroll/options', { inviteCode: code });
    await call('POST', '/v1/enroll/verify', { intentId: enroll.intentId, registration: key.register(enroll.options), label: 'k' });
    const unlock = await call('POST', '/v1/unlock/options', { userName: name });
    const { session } = await call('POST', '/v1/unlock/verify', { intentId: unlock.intentId, assertion: key.assert(unlock.options) });
    return { key, token: session.token as string };
  };
  const [asker, approver] = [await person('asker'), await person('approver')];
  const confirm = async (job: string) => {
    const prep = await call('POST', '/v1/runs/prepare', { job, params: { env: 'staging' } }, asker.token);
    const body = { intentId: prep.intentId, assertion: asker.key.assert(prep.options) };
    const t = performance.now();
    const answer = await call('POST', '/v1/runs/confirm', body, asker.token);
    return { answer, ms: performance.now() - t };
  };
  const plain: number[] = [];
  const last: number[] = [];
  const n = Math.max(20, Math.floor(iterations / 3));
  for (let i = 0; i < n + 10; i++) {
    const one = await confirm('deploy');
    const { answer } = await confirm('deploy-two');
    const opts = await call('POST', `/v1/requests/${answer.request.id}/approve/options`, {}, approver.token);
    const body = { intentId: opts.intentId, assertion: approver.key.assert(opts.options) };
    const t = performance.now();
    const done = await call('POST', `/v1/requests/${answer.request.id}/approve/verify`, body, approver.token);
    const lastMs = performance.now() - t;
    if (done.run?.status !== 'accepted') throw new Error('the last approval did not launch');
    if (i >= 10) {
      plain.push(one.ms);
      last.push(lastMs);
    }
  }
  await dynamo.close();
  const ratio = quantile(last, 0.5) / quantile(plain, 0.5);
  console.log(`(h) last approval -> launched, over dynalite, ${n} requests`);
  console.log(`    approve/verify that launches: p50 ${quantile(last, 0.5).toFixed(3)} ms  p99 ${quantile(last, 0.99).toFixed(3)} ms`);
  console.log(`    one-touch confirm of the same job without approvals: p50 ${quantile(plain, 0.5).toFixed(3)} ms`);
  verdict('(h) last approval -> launched / one-touch confirm, p50', ratio, 2);
}
