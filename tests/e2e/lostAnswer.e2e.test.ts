import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollAndUnlock, runPageShown, startDesktopE2e, startRun, waitUntilEnded, type DesktopE2e } from '../support/desktopE2e';
import { startLossyNetwork } from '../support/lossyNetwork';
import { sampleJobs } from '../support/sampleJobs';
import { gatedJob } from '../support/gatedJob';

/**
 * Issue 12 §2 as a person meets it, in Chromium with the real renderer, main's real handlers and a real
 * verifier: the network loses the confirmation's answer after the job launched. The person sees the one
 * run, never a "Try again" that would run the job a second time.
 */
const TIMEOUT = 15_000;

describe('a dropped confirm answer, end to end', { timeout: 60_000 }, () => {
  const gated = gatedJob('gated', { timeoutSeconds: 120 });
  let e: DesktopE2e;
  let network: Awaited<ReturnType<typeof startLossyNetwork>>;
  beforeAll(async () => {
    e = await startDesktopE2e({
      userName: 'lin',
      harness: { jobs: [...sampleJobs, gated.job] },
      via: async (url) => (network = await startLossyNetwork(url)).url,
    });
    await e.addKey();
    await enrollAndUnlock(e, 'lin');
  }, 60_000);
  afterAll(async () => {
    await e?.close();
    await network?.close();
  });

  const launches = () => e.harness.launcher.launches.filter((l) => l.job.name === 'gated').length;

  it('the answer is lost after the launch: the run page shows the one run, and it follows it to its end', async () => {
    network.state.loss = 'answer';
    await startRun(e, /Runs until released/);
    await runPageShown(e);
    expect((await e.page.locator('section.run .badge').first().textContent())?.trim()).toBe('running');
    expect(launches()).toBe(1);
    expect(network.state.confirmsDelivered).toBe(1);
    const runId = (await e.page.locator('section.run').getAttribute('aria-label'))!.replace('Run ', '');
    network.state.loss = 'none';
    gated.release(runId);
    await waitUntilEnded(e);
    expect((await e.page.locator('section.run .badge').first().textContent())?.trim()).toBe('succeeded');
    expect(launches()).toBe(1);
    await e.screenshot('lost-answer-found');
  });

  it('the answer and the lookup are lost: "Did the job start?" with Check again, no Try again; checking shows the one run', async () => {
    network.state.loss = 'answer-and-after';
    await startRun(e, /Runs until released/);
    const alert = e.page.locator('[role="alert"][data-code="run_outcome_unknown"]');
    await alert.waitFor({ timeout: TIMEOUT });
    expect(await alert.textContent()).toContain('Did the job start?');
    expect(await e.page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
    await e.screenshot('lost-answer-unknown');
    expect(launches()).toBe(2); // the first test's run, and this one
    expect(network.state.confirmsDelivered).toBe(2);

    network.state.loss = 'none';
    await e.page.getByRole('button', { name: 'Check again' }).click();
    await runPageShown(e);
    const runId = (await e.page.locator('section.run').getAttribute('aria-label'))!.replace('Run ', '');
    const stored = await e.harness.store.getRun(runId);
    expect(stored).toMatchObject({ job: 'gated', userName: 'lin', status: 'running' });
    expect(launches()).toBe(2);
    expect(network.state.confirmsDelivered).toBe(2);
    gated.release(runId);
    await waitUntilEnded(e);
    expect(launches()).toBe(2);
  });
});
