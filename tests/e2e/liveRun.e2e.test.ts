import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollAndUnlock, openJob, runPageShown, startDesktopE2e, startRun, waitUntilEnded, type DesktopE2e } from '../support/desktopE2e';
import { sampleJobs } from '../support/sampleJobs';
import { gatedJob } from '../support/gatedJob';

/**
 * Issue 12 §3–5 as a person meets them, in Chromium with the production renderer, main's real handlers,
 * a real local verifier and real local jobs: a ~30 s job followed live to its end without touching
 * anything, a running job stopped with a touch, a run run again from its page with its values, and the
 * OS notification for a run that ends while the window is in the background.
 */
const TIMEOUT = 15_000;
// About 30 s: a coloured line a second, then success.
const slow = {
  name: 'slow',
  title: 'Counts for thirty seconds',
  type: 'local',
  params: [{ name: 'label', type: 'string', required: true, maxLength: 20 }],
  allow: { roles: ['admin', 'operator'] },
  target: {
    argv: [process.execPath, '-e', 'let i=0;const t=setInterval(()=>{i++;console.log(`\\u001b[32mtick ${i}\\u001b[0m ${process.argv[1]}`);if(i===30){clearInterval(t)}},1000)', '{{label}}'],
    timeoutSeconds: 90,
  },
};

describe('long runs, end to end', { timeout: 120_000 }, () => {
  const gated = gatedJob('gated');
  let e: DesktopE2e;
  beforeAll(async () => {
    e = await startDesktopE2e({ userName: 'kim', harness: { jobs: [...sampleJobs, slow, gated.job] } });
    await e.addKey();
    await enrollAndUnlock(e, 'kim');
  }, 60_000);
  afterAll(() => e?.close());

  it('a ~30 s job is followed live to its end: Running with output as it comes, then Succeeded, without a click', async () => {
    const { page } = e;
    await startRun(e, /Counts for thirty seconds/, { 'label (required)': 'live' });
    await runPageShown(e);
    await page.getByRole('heading', { name: 'Running', level: 1 }).waitFor({ timeout: TIMEOUT });
    const log = page.getByRole('log', { name: 'Output' });
    // Lines arrive while it runs, in order, coloured, with no escape code shown.
    await expect.poll(() => log.textContent(), { timeout: TIMEOUT }).toContain('tick 3 live');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Running');
    expect(await page.locator('.line .ansi-green-fg').first().textContent()).toMatch(/^tick \d+$/);
    expect(await log.textContent()).not.toContain('\u001b');
    expect(await page.getByText(/Elapsed: \d+ s/).count()).toBe(1);
    await e.screenshot('run-live');
    await page.getByRole('heading', { name: 'Succeeded', level: 1 }).waitFor({ timeout: 60_000 });
    const text = (await log.textContent())!;
    const ticks = [...text.matchAll(/tick (\d+) live/g)].map((m) => Number(m[1]));
    expect(ticks).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    // The page opened at the end and followed it: the last line is in view.
    expect(await page.locator('.line', { hasText: 'tick 30 live' }).isVisible()).toBe(true);
    await e.screenshot('run-live-succeeded');
  });

  it('a running job is cancelled with a touch after main’s review names it; it ends Cancelled, by whom', async () => {
    const { page } = e;
    await startRun(e, /Runs until released/);
    await runPageShown(e);
    await page.getByRole('heading', { name: 'Running', level: 1 }).waitFor({ timeout: TIMEOUT });
    const runId = (await page.locator('section.run').getAttribute('aria-label'))!.replace('Run ', '');
    await expect.poll(() => page.getByRole('log', { name: 'Output' }).textContent(), { timeout: TIMEOUT }).toContain('started');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('heading', { name: 'Cancelled', level: 1 }).waitFor({ timeout: TIMEOUT });
    const review = e.reviews.at(-1)!;
    expect(review.review.purpose).toBe('cancel');
    expect(review.text.detail).toContain(`Run: ${runId}`);
    expect(review.text.detail).toContain('Job: Runs until released (gated)');
    expect(await page.getByText(/Stopped by kim/).count()).toBe(1);
    const stored = await e.harness.store.getRun(runId);
    expect(stored).toMatchObject({ status: 'cancelled', cancelledBy: { userName: 'kim' } });
    expect(e.harness.launcher.cancels.map((c) => c.runId)).toEqual([runId]);
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    await e.screenshot('run-cancelled');
  });

  it('Run again opens the form filled with the run’s values; it is a new review and a new touch', async () => {
    const { page } = e;
    await startRun(e, /Echo parameters/, { 'message (required)': 'again please', count: '3' });
    await runPageShown(e);
    await waitUntilEnded(e);
    const first = (await page.locator('section.run').getAttribute('aria-label'))!;
    const reviews = e.reviews.length;
    await page.getByRole('button', { name: 'Run again' }).click();
    await page.getByRole('region', { name: 'Run again' }).waitFor({ timeout: TIMEOUT });
    expect(await page.getByLabel('message (required)').inputValue()).toBe('again please');
    expect(await page.getByLabel('count').inputValue()).toBe('3');
    await e.screenshot('run-again');
    await page.getByRole('button', { name: 'Review and run' }).click();
    await runPageShown(e);
    await expect.poll(() => page.locator('section.run').getAttribute('aria-label')).not.toBe(first);
    await waitUntilEnded(e);
    expect(e.reviews.length).toBe(reviews + 1);
    expect(e.reviews.at(-1)!.text.detail).toContain('message: "again please"');
    expect(await page.getByRole('log', { name: 'Output' }).textContent()).toContain('again please|3');

    // And from History: the row's Run again fills the same form.
    await page.getByRole('button', { name: 'History', exact: true }).click();
    await page.getByRole('button', { name: /^Run again: echo,/ }).first().click();
    await page.getByRole('region', { name: 'Run again' }).waitFor({ timeout: TIMEOUT });
    expect(await page.getByLabel('message (required)').inputValue()).toBe('again please');
    await openJob(e, /Echo parameters/); // leaves the form without running
  });

  it('a run that ends while the window is not focused: main notifies, the page stays where the person is; the click shows the run', async () => {
    const { page } = e;
    await startRun(e, /Runs until released/);
    await runPageShown(e);
    const runId = (await page.locator('section.run').getAttribute('aria-label'))!.replace('Run ', '');
    // The person goes on with something else, then away from the window.
    await page.getByRole('button', { name: 'History', exact: true }).click();
    await page.getByRole('table').waitFor({ timeout: TIMEOUT });
    // Runs of earlier tests may still be watched (main polls with back-off): once they are seen to end,
    // the only notification left to come is this run's.
    await expect.poll(() => e.watching().filter((id) => id !== runId), { timeout: 30_000, interval: 200 }).toEqual([]);
    e.windowState.focused = false;
    const before = e.notifications.length;
    try {
      gated.release(runId);
      await expect.poll(() => e.notifications.length, { timeout: 30_000, interval: 200 }).toBe(before + 1);
      expect(e.notifications.at(-1)!.title).toBe('gated succeeded');
      // Nothing moved: still on History.
      expect(await page.getByRole('heading', { name: 'History', level: 1 }).count()).toBe(1);
      e.notifications.at(-1)!.click();
      await page.getByRole('heading', { name: 'Succeeded', level: 1 }).waitFor({ timeout: TIMEOUT });
      expect(await page.locator('section.run').getAttribute('aria-label')).toBe(`Run ${runId}`);
    } finally {
      e.windowState.focused = true;
    }
  });

  it('a run that ends while the window is focused says nothing', async () => {
    const before = e.notifications.length;
    await startRun(e, /Echo parameters/, { 'message (required)': 'quiet' });
    await runPageShown(e);
    await waitUntilEnded(e);
    const runId = (await e.page.locator('section.run').getAttribute('aria-label'))!.replace('Run ', '');
    // main's watcher saw it end (it stops watching a run once it has) and said nothing.
    await expect.poll(() => e.watching().includes(runId), { timeout: 30_000, interval: 200 }).toBe(false);
    expect(e.notifications.length).toBe(before);
  });
});
