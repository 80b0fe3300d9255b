import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollAndUnlock, runPageShown, startDesktopE2e, startRun, waitUntilEnded, type DesktopE2e } from '../support/desktopE2e';
import { approvalJobs } from '../support/approvals';
import { axeViolations } from '../support/a11y';

/**
 * Issue 16's proof, as two people meet it: two desktops (two Chromium pages, each with its own virtual
 * authenticator, the production renderer, main's real handlers and watchers) on one local verifier, and a
 * job that needs two people (`pair`: min 2, the requester's touch counts). Ada asks; Bob's nav counts it
 * and his OS announces it; Bob reviews the same fingerprint in main's dialog and approves with his own
 * touch; the run launches, and both see it. Then a rejection, which Ada sees with Bob's name.
 */
const TIMEOUT = 30_000;
const poll = { timeout: TIMEOUT, interval: 200 };

describe('two people, one run', { timeout: 180_000 }, () => {
  let ada: DesktopE2e;
  let bob: DesktopE2e;
  beforeAll(async () => {
    ada = await startDesktopE2e({ userName: 'ada', harness: { jobs: approvalJobs } });
    bob = await startDesktopE2e({ userName: 'bob', shared: ada.harness });
    await ada.addKey();
    await bob.addKey();
    await enrollAndUnlock(ada, 'ada');
    await enrollAndUnlock(bob, 'bob');
  }, 120_000);
  afterAll(async () => {
    await bob?.close();
    await ada?.close();
  });

  const waitingNav = (e: DesktopE2e) => e.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Waiting for you/ });

  it('Ada requests; Bob’s badge shows 1 and his list shows the same fingerprint; Bob approves with his touch; the run launches and both see it', async () => {
    bob.windowState.focused = false; // Bob is in another app: his OS announces the new request
    const notesBefore = bob.notifications.length;
    await startRun(ada, /Two-person pair/, { 'message (required)': 'ship it' });
    const pending = ada.page.getByRole('status', { name: 'Waiting for approval: not launched yet' });
    await pending.waitFor({ timeout: TIMEOUT });
    const fingerprint = (await ada.page.locator('#pending-fingerprint').textContent())!.trim();
    expect(fingerprint).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(await pending.textContent()).toContain('needs 1 more person');

    // Bob: the nav count, the OS badge's count, and one notification naming job, requester and fingerprint.
    await expect.poll(async () => (await waitingNav(bob).textContent())?.replace(/\s+/g, ' '), poll).toContain('(1 waiting)');
    expect(bob.waitingCounts.at(-1)).toBe(1);
    await expect.poll(() => bob.notifications.length, poll).toBe(notesBefore + 1);
    const note = bob.notifications.at(-1)!;
    expect(note).toMatchObject({ title: 'Waiting for you: pair', body: `ada asks for a run of pair. Fingerprint ${fingerprint}.` });
    expect(note.body).not.toContain('ship it');
    bob.windowState.focused = true;
    note.click(); // shows that request
    const card = bob.page.getByRole('region', { name: 'Two-person pair for ada' });
    await card.waitFor({ timeout: TIMEOUT });
    expect(await bob.page.getByRole('heading', { name: 'Waiting for you', level: 1 }).isVisible()).toBe(true);
    expect(await card.locator('code.fingerprint').textContent()).toBe(fingerprint);
    expect(await card.textContent()).toContain('message: "ship it"');
    await bob.screenshot('waiting-for-you');
    expect(await axeViolations(bob.page, 'waiting')).toEqual([]);

    // Bob approves: main's review shows the request as it will run and the same fingerprint, then his touch.
    const reviews = bob.reviews.length;
    await card.getByRole('button', { name: 'Approve ada’s run of Two-person pair' }).click();
    await bob.page.getByRole('status').filter({ hasText: 'You approved ada’s run of Two-person pair: the run launched.' }).waitFor({ timeout: TIMEOUT });
    expect(bob.reviews.length).toBe(reviews + 1);
    const review = bob.reviews.at(-1)!;
    expect(review.review.purpose).toBe('approve');
    expect(review.text.message).toBe('Approve ada’s run of Two-person pair (pair)?');
    expect(review.text.detail).toContain('message: "ship it"');
    expect(review.text.detail).toContain('Approved so far: ada');
    expect(review.text.detail).toContain(`Fingerprint: ${fingerprint}`);
    // Bob's list empties, and so does his count.
    await bob.page.getByText('Nothing is waiting for your approval.').waitFor({ timeout: TIMEOUT });
    await expect.poll(async () => (await waitingNav(bob).textContent())?.trim(), poll).toBe('Waiting for you');

    // Ada's pending panel turns into the run, which runs her parameters.
    await runPageShown(ada);
    await waitUntilEnded(ada, TIMEOUT);
    await expect.poll(() => ada.page.getByRole('log', { name: 'Output' }).textContent(), poll).toContain('ship it');
    // Ada's own requests say how this one ended, with the way to its run.
    await waitingNav(ada).click();
    const mine = ada.page.getByRole('list', { name: 'Your requests' }).getByRole('listitem').filter({ hasText: fingerprint });
    await expect.poll(() => mine.textContent(), poll).toContain('launched');
    expect(await axeViolations(ada.page, 'waiting-mine')).toEqual([]);
    await mine.getByRole('button', { name: `Open the run of Two-person pair (${fingerprint})` }).click();
    await runPageShown(ada);
    // Bob opens the same run from his confirmation.
    await bob.page.getByRole('button', { name: 'Open the run' }).click();
    await runPageShown(bob);
    await expect.poll(() => bob.page.getByRole('log', { name: 'Output' }).textContent(), poll).toContain('ship it');
  });

  it('Bob rejects: nothing runs, and Ada’s panel says “Rejected by bob”', async () => {
    const launches = ada.harness.launcher.launches.length;
    await startRun(ada, /Two-person pair/, { 'message (required)': 'not today' });
    await ada.page.getByRole('status', { name: 'Waiting for approval: not launched yet' }).waitFor({ timeout: TIMEOUT });

    await expect.poll(async () => (await waitingNav(bob).textContent())?.replace(/\s+/g, ' '), poll).toContain('(1 waiting)');
    await waitingNav(bob).click();
    const card = bob.page.getByRole('region', { name: 'Two-person pair for ada' });
    await card.waitFor({ timeout: TIMEOUT });
    expect(await card.textContent()).toContain('message: "not today"');
    await card.getByRole('button', { name: 'Reject ada’s run of Two-person pair' }).click();
    await bob.page.getByRole('status').filter({ hasText: 'You rejected ada’s run of Two-person pair: it will not run.' }).waitFor({ timeout: TIMEOUT });
    expect(bob.reviews.at(-1)!.review.purpose).toBe('reject');

    await ada.page.getByRole('status', { name: 'Rejected by bob: not launched' }).waitFor({ timeout: TIMEOUT });
    await ada.screenshot('request-rejected');
    await waitingNav(ada).click();
    const fingerprint = bob.reviews.at(-1)!.review.fingerprint;
    await expect.poll(() => ada.page.getByRole('list', { name: 'Your requests' }).getByRole('listitem').filter({ hasText: fingerprint }).textContent(), poll).toContain('rejected by bob');
    expect(ada.harness.launcher.launches.length).toBe(launches);
  });
});
