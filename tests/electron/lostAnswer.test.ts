import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { unlockedDesktop } from '../support/unlockedDesktop';
import { sampleJobs } from '../support/sampleJobs';
import { gatedJob } from '../support/gatedJob';
import type { SoftAuthenticator } from '../support/softAuthenticator';
import { startLossyNetwork, type Loss } from '../support/lossyNetwork';

/**
 * Issue 12 §2 over main's real handlers and client, a real verifier over HTTP, and a network in
 * between that loses what the test says: a confirmation whose answer is lost never launches twice,
 * and the desktop shows the one run it launched.
 */
const gated = gatedJob();
let h: Harness;
let network: Awaited<ReturnType<typeof startLossyNetwork>>;

beforeAll(async () => {
  h = await startHarness({ jobs: [...sampleJobs, gated.job] });
  network = await startLossyNetwork(h.url);
});
afterAll(async () => {
  await network?.close();
  await h?.close();
});

async function desktopFor(user: { name: string; authenticator: SoftAuthenticator }) {
  network.state.loss = 'none';
  return unlockedDesktop({ h, user, ask: async () => true, verifierUrl: network.url });
}

/** Prepare (accepted in main's review), touch, then confirm with the network losing `what`. */
async function approveLosing(what: Loss) {
  const user = await h.enroll();
  const desktop = await desktopFor(user);
  const prep = await desktop.prepareRun({ job: 'gated', params: {} });
  if (!prep.ok) throw new Error(JSON.stringify(prep));
  const confirmation = { intentId: prep.value.intentId, assertion: user.authenticator.assert(prep.value.options), secrets: {} };
  const launchesBefore = h.launcher.launches.length;
  const deliveredBefore = network.state.confirmsDelivered;
  network.state.loss = what;
  const answer = await desktop.confirmRun(confirmation);
  return {
    user, desktop, prep: prep.value, confirmation, answer,
    launches: () => h.launcher.launches.length - launchesBefore,
    delivered: () => network.state.confirmsDelivered - deliveredBefore,
  };
}

describe('a lost confirmation answer never launches twice', () => {
  it('the answer is dropped after the launch: the desktop shows the one run, and exactly one launch happened', async () => {
    const { desktop, confirmation, answer, launches, delivered } = await approveLosing('answer');
    expect(delivered()).toBe(1);
    expect(launches()).toBe(1);
    expect(answer).toMatchObject({ ok: true, value: { run: { job: 'gated', status: 'running', intentId: confirmation.intentId } } });
    if (!answer.ok || !('run' in answer.value)) return;
    const { run } = answer.value;
    const stored = (await h.store.listRuns({ limit: 100 })).items.filter((r) => r.intentId === confirmation.intentId);
    expect(stored.map((r) => r.id)).toEqual([answer.value.run.id]);

    // The renderer asking main to confirm again (its "Try again" of old) sends nothing: the approval is spent.
    network.state.loss = 'none';
    expect(await desktop.confirmRun(confirmation)).toMatchObject({ ok: false, error: { code: 'approval_not_accepted' } });
    expect(delivered()).toBe(1);
    expect(launches()).toBe(1);

    // The run it shows follows the job to its end.
    gated.release(answer.value.run.id);
    await expect.poll(async () => {
      const r = await desktop.getRun({ runId: run.id });
      return r.ok ? r.value.run.status : r.error.code;
    }, { timeout: 20_000 }).toBe('succeeded');
    expect(launches()).toBe(1);
  });

  it('the confirmation never reached the verifier: run_outcome_unknown, nothing launched, nothing re-sent', async () => {
    const { desktop, confirmation, answer, launches, delivered } = await approveLosing('request');
    expect(answer).toMatchObject({ ok: false, error: { code: 'run_outcome_unknown' } });
    expect(delivered()).toBe(0);
    expect(launches()).toBe(0);
    network.state.loss = 'none';
    expect(await desktop.listRuns({ intentId: confirmation.intentId })).toEqual({ ok: true, value: { runs: [] } });
    expect(await desktop.confirmRun(confirmation)).toMatchObject({ ok: false, error: { code: 'approval_not_accepted' } });
    expect(delivered()).toBe(0);
    expect(launches()).toBe(0);
  });

  it('the answer and main’s lookup are both lost: run_outcome_unknown; checking again once the network is back shows the one run', async () => {
    const { desktop, confirmation, answer, launches, delivered } = await approveLosing('answer-and-after');
    expect(delivered()).toBe(1);
    expect(launches()).toBe(1);
    expect(answer).toMatchObject({ ok: false, error: { code: 'run_outcome_unknown', message: expect.stringContaining('cannot tell whether the job started') } });
    network.state.loss = 'none';
    const found = await desktop.listRuns({ intentId: confirmation.intentId });
    expect(found).toMatchObject({ ok: true, value: { runs: [{ intentId: confirmation.intentId, job: 'gated' }] } });
    expect(found.ok && found.value.runs).toHaveLength(1);
    expect(await desktop.confirmRun(confirmation)).toMatchObject({ ok: false, error: { code: 'approval_not_accepted' } });
    expect(delivered()).toBe(1);
    expect(launches()).toBe(1);
    if (found.ok) gated.release(found.value.runs[0]!.id);
  });
});
