import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalMode } from '../../../backend/local/localMode';
import { createInvite } from '../../../backend/core/invites';
import { systemClock, systemRandom } from '../../../backend/createVerifier';
import { LOST_FAILURE } from '../../../backend/core/lostRuns';
import { SoftAuthenticator } from '../../support/softAuthenticator';
import { gatedJob } from '../../support/gatedJob';
import { sampleJobs } from '../../support/sampleJobs';

/**
 * Issue 12 §1: a local job's child lives in the verifier process, so a verifier that stops leaves its
 * run with nobody to record the end. Real local mode (persisted dynalite, the jobs file, node:http),
 * stopped with a job running and started again on the same data folder.
 */
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

const gated = gatedJob();
const orphans: number[] = [];
afterAll(() => {
  for (const pid of orphans) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

async function start(dataDir: string, jobsFile: string, port: number) {
  const local = await startLocalMode({
    dataDir,
    settings: { sessionSecret: Buffer.alloc(32, 9).toString('base64'), verifierPort: port, adminName: 'admin' },
    jobsFile,
  });
  const api = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(local.url + path, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  return { local, api };
}

describe('verifier restart with local runs still running', () => {
  it('marks them lost with the reason at the next start; finished runs stay as they ended', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kl-restart-'));
    const jobsFile = join(dataDir, 'jobs.json');
    writeFileSync(jobsFile, JSON.stringify({ jobs: [gated.job, sampleJobs[0]] }));
    const port = await freePort(); // the same each time: the origin, so the key, stays valid

    const first = await start(dataDir, jobsFile, port);
    let running: string, finished: string;
    const auth = new SoftAuthenticator(first.local.config.origins[0]!);
    try {
      const { code } = await createInvite({ store: first.local.store, clock: systemClock, random: systemRandom }, { userName: 'ada', role: 'operator', createdBy: 'test', ttlHours: 1 });
      const enrollOptions = await first.api('POST', '/v1/enroll/options', { inviteCode: code });
      expect((await first.api('POST', '/v1/enroll/verify', { intentId: enrollOptions.body.intentId, registration: auth.register(enrollOptions.body.options), label: 'k' })).status).toBe(200);
      const unlockOptions = await first.api('POST', '/v1/unlock/options', { userName: 'ada' });
      const token = (await first.api('POST', '/v1/unlock/verify', { intentId: unlockOptions.body.intentId, assertion: auth.assert(unlockOptions.body.options) })).body.session.token;
      const confirm = async (job: string, params: Record<string, unknown>) => {
        const prep = await first.api('POST', '/v1/runs/prepare', { job, params }, token);
        return (await first.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: auth.assert(prep.body.options) }, token)).body.run;
      };
      const long = await confirm('gated', {});
      expect(long.status).toBe('running');
      orphans.push(long.launch.pid);
      running = long.id;
      const short = await confirm('echo', { message: 'quick' });
      finished = short.id;
      await expect.poll(async () => (await first.api('GET', `/v1/runs/${short.id}`, undefined, token)).body.run.status, { timeout: 20_000 }).toBe('succeeded');
      expect((await first.api('GET', `/v1/runs/${running}`, undefined, token)).body.run.status).toBe('running');
    } finally {
      await first.local.close();
    }

    const second = await start(dataDir, jobsFile, port);
    try {
      expect(second.local.lostRuns.map((r) => r.id)).toEqual([running]);
      const unlockOptions = await second.api('POST', '/v1/unlock/options', { userName: 'ada' });
      const token = (await second.api('POST', '/v1/unlock/verify', { intentId: unlockOptions.body.intentId, assertion: auth.assert(unlockOptions.body.options) })).body.session.token;
      const lost = (await second.api('GET', `/v1/runs/${running}`, undefined, token)).body.run;
      expect(lost).toMatchObject({ status: 'lost', failure: LOST_FAILURE, job: 'gated' });
      expect(lost.failure.message).toMatch(/verifier stopped while this job was running/);
      expect((await second.api('GET', `/v1/runs/${finished}`, undefined, token)).body.run).toMatchObject({ status: 'succeeded', launch: { exitCode: 0 } });
      // Output after the restart: a finished run's from its record; a lost one kept none, and says so.
      expect((await second.api('GET', `/v1/runs/${finished}/output`, undefined, token)).body).toEqual({ lines: [{ seq: 0, stream: 'stdout', text: 'quick|1' }], done: true, truncated: false });
      expect((await second.api('GET', `/v1/runs/${running}/output?cursor=1`, undefined, token)).body).toEqual({ lines: [], done: true, truncated: true });
    } finally {
      await second.local.close();
    }

    // A third start finds nothing left to mark.
    const third = await start(dataDir, jobsFile, port);
    await third.local.close();
    expect(third.local.lostRuns).toEqual([]);
  });
});
