import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createVerifier, systemRandom } from '../../backend/createVerifier';
import { parseVerifierConfig, type VerifierConfigInput } from '../../backend/core/config';
import { createDynamoStore } from '../../backend/adapters/dynamo/dynamoStore';
import { createFileCatalog } from '../../backend/adapters/catalog/fileCatalog';
import { createLocalLauncher, type LocalLauncherOptions } from '../../backend/adapters/launcher/localLauncher';
import { startLocalServer } from '../../backend/entry/localServer';
import { startLocalDynamo } from '../../backend/local/localDynamo';
import { createInvite } from '../../backend/core/invites';
import type { CancelRequest, Clock, JobCatalog, Launcher, LaunchRequest, Notifier, Store } from '../../backend/core/ports';
import type { JobType } from '../../backend/core/job';
import type { Role, Run } from '../../backend/core/model';
import { vi } from 'vitest';
import { SoftAuthenticator, type CeremonyTweaks } from './softAuthenticator';
import { sampleJobs } from './sampleJobs';

export const ORIGIN = 'https://keylaunch.test';
export const RP_ID = 'keylaunch.test';

/** Real time plus an offset the test moves by hand, for expiry without sleeping (ids stay time-ordered). */
export class TestClock implements Clock {
  private offset = 0;
  now = () => Date.now() + this.offset;
  advance(ms: number) {
    this.offset += ms;
  }
}

/**
 * Wraps a launcher and records every launch (secrets included, so tests can see where they went) and
 * every cancel; following and stopping are the inner launcher's own.
 */
export class RecordingLauncher implements Launcher {
  readonly launches: LaunchRequest[] = [];
  readonly cancels: CancelRequest[] = [];
  readonly output?: Launcher['output'];
  readonly cancel?: Launcher['cancel'];
  constructor(private readonly inner: Launcher) {
    if (inner.output) this.output = (details, request) => inner.output!(details, request);
    if (inner.cancel) this.cancel = (details, request) => (this.cancels.push(request), inner.cancel!(details, request));
  }
  async launch(request: LaunchRequest) {
    this.launches.push(request);
    return this.inner.launch(request);
  }
}

export interface ApiResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * A whole verifier as in local mode, on real HTTP, over real DynamoDB protocol (dynalite in memory),
 * with a test clock and a jobs file the test may rewrite. Only the clock is not the real one.
 */
export async function startHarness(
  o: { config?: Partial<VerifierConfigInput>; jobs?: unknown[]; store?: (s: Store) => Store; catalog?: JobCatalog; launchers?: Partial<Record<JobType, Launcher>>; localLauncher?: LocalLauncherOptions; log?: (message: string, error?: unknown) => void; notifier?: Notifier } = {},
) {
  const dynamo = await startLocalDynamo({ tableName: 'kl-test' });
  const dir = mkdtempSync(join(tmpdir(), 'kl-test-'));
  const jobsFile = join(dir, 'jobs.json');
  const writeJobs = (jobs: unknown[]) => writeFileSync(jobsFile, JSON.stringify({ jobs }));
  writeJobs(o.jobs ?? sampleJobs);
  const clock = new TestClock();
  const config = parseVerifierConfig({
    rpId: RP_ID,
    origins: [ORIGIN],
    sessionSecret: randomBytes(32).toString('base64'),
    allowedCidrs: ['127.0.0.1/32', '::1/128'],
    rateLimit: { windowSeconds: 300, maxFailuresPerIp: 10_000, maxFailuresPerUser: 10_000 },
    ...o.config,
  });
  const baseStore = createDynamoStore({ client: dynamo.documents, tableName: 'kl-test' });
  const store = o.store ? o.store(baseStore) : baseStore;
  const launcher = new RecordingLauncher(createLocalLauncher(o.localLauncher));
  /** Structured log lines (EMF) the verifier emitted: refusals that stored nothing. */
  const events: Record<string, any>[] = [];
  const verifier = createVerifier({
    config,
    store,
    catalog: o.catalog ?? createFileCatalog(jobsFile),
    launchers: { local: launcher, ...o.launchers },
    clock,
    random: systemRandom,
    log: o.log ?? (() => undefined),
    ...(o.notifier ? { notifier: o.notifier } : {}),
    emit: (record) => void events.push(record),
  });
  const { server, url } = await startLocalServer({ verifier, port: 0, maxBodyBytes: config.maxBodyBytes });

  async function api<T = any>(method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}): Promise<ApiResult<T>> {
    const res = await fetch(url + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  }

  let userCounter = 0;
  /** A fresh user name per call, so tests sharing one harness never collide. */
  const newName = (prefix = 'user') => `${prefix}${++userCounter}-${randomBytes(3).toString('hex')}`;

  async function invite(userName: string, role: Role = 'operator', ttlHours = 24) {
    return createInvite({ store, clock, random: systemRandom }, { userName, role, createdBy: 'test', ttlHours });
  }

  /** Invite + enrollment ceremony: a user with one registered key. */
  async function enroll(o: { role?: Role; name?: string; authenticator?: SoftAuthenticator } = {}) {
    const name = o.name ?? newName();
    const authenticator = o.authenticator ?? new SoftAuthenticator(ORIGIN);
    const { code } = await invite(name, o.role ?? 'operator');
    const options = await api('POST', '/v1/enroll/options', { inviteCode: code });
    const registration = authenticator.register(options.body.options);
    const done = await api('POST', '/v1/enroll/verify', { intentId: options.body.intentId, registration, label: 'primary' });
    if (done.status !== 200) throw new Error(`enroll failed: ${JSON.stringify(done.body)}`);
    return { name, authenticator, userId: done.body.user.id as string, credentialId: registration.id };
  }

  async function unlock(user: { name: string; authenticator: SoftAuthenticator }, tweaks: CeremonyTweaks = {}) {
    const options = await api('POST', '/v1/unlock/options', { userName: user.name });
    const assertion = user.authenticator.assert(options.body.options, tweaks);
    return api('POST', '/v1/unlock/verify', { intentId: options.body.intentId, assertion });
  }

  async function session(user: { name: string; authenticator: SoftAuthenticator }) {
    const r = await unlock(user);
    if (r.status !== 200) throw new Error(`unlock failed: ${JSON.stringify(r.body)}`);
    return r.body.session.token as string;
  }

  /**
   * The run once its job has ended, read over GET /v1/runs/{id} as the desktop does: a local run is
   * `running` when confirm answers, and its record changes when the child exits. Bounded, not timed.
   */
  async function ended(runId: string, token: string) {
    return vi.waitFor(
      async () => {
        const r = await api('GET', `/v1/runs/${runId}`, undefined, token);
        if (r.status !== 200 || r.body.run.status === 'running' || r.body.run.status === 'launching') throw new Error(`run ${runId}: ${r.status} ${r.body.run?.status ?? JSON.stringify(r.body)}`);
        return r.body.run as Run;
      },
      { timeout: 30_000, interval: 25 },
    );
  }

  async function auditEntries(limit = 100) {
    const { items } = await store.listAudit({ limit });
    return items;
  }

  return {
    url, api, clock, store, events, documents: dynamo.documents, config, launcher, jobsFile, writeJobs, newName, invite, enroll, unlock, session, auditEntries, ended,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await dynamo.close();
    },
  };
}
export type Harness = Awaited<ReturnType<typeof startHarness>>;
