import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSheet, enrollAndUnlock, runPageShown, startDesktopE2e, startRun, waitUntilEnded, type DesktopE2e } from '../support/desktopE2e';

/**
 * keylaunch as a person uses it: real renderer, real main-process handlers, real verifier, real
 * Chromium WebAuthn (virtual authenticator). Screenshots of each screen, light and dark, land in
 * test-output/screenshots/.
 */
const TIMEOUT = 15_000;

describe('the touch-to-run experience, end to end', { timeout: 60_000 }, () => {
  let e: DesktopE2e;
  let primary: string;
  beforeAll(async () => {
    e = await startDesktopE2e({ userName: 'ada' });
    primary = await e.addKey();
  }, 60_000);
  afterAll(() => e?.close());

  it('enrolls with an invite and unlocks with one touch', async () => {
    await enrollAndUnlock(e, 'ada', 'admin', true);
    await e.page.getByText('You have only one key.').waitFor();
    await e.screenshot('jobs');
    expect(await e.page.getByRole('button', { name: /Echo parameters/ }).isVisible()).toBe(true);
    expect(await e.page.getByRole('button', { name: /^broken/ }).isDisabled()).toBe(true);
  });

  it('adds a backup key: the new key first, main names it, then a touch of the old key approves exactly it', async () => {
    const { page, cdp } = e;
    await page.getByRole('button', { name: 'Keys', exact: true }).click();
    await page.getByLabel('Name for the new key').fill('Backup YubiKey');
    // The person plugs in the new key (one port: the old one comes out, its credential kept to plug back in).
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: primary });
    await e.removeKey(primary);
    const backup = await e.addKey();
    await page.getByRole('button', { name: 'Add a backup key' }).click();
    await page.getByRole('button', { name: 'Continue with my key' }).waitFor({ timeout: TIMEOUT });
    await e.screenshot('add-backup-swap');
    const review = e.reviews.at(-1)!;
    expect(review.review.purpose).toBe('add_key');
    expect(review.text.detail).toContain('New key: Backup YubiKey');
    await e.removeKey(backup);
    primary = await e.addKey();
    for (const credential of credentials) await cdp.send('WebAuthn.addCredential', { authenticatorId: primary, credential });
    await page.getByRole('button', { name: 'Continue with my key' }).click();
    await page.getByText('Backup YubiKey').waitFor({ timeout: TIMEOUT });
    await expect.poll(() => page.locator('li.key').count()).toBe(2);
    await e.screenshot('keys');
  });

  it('runs a local job with parameters, shows the fingerprint, then the output', async () => {
    const { page } = e;
    await startRun(e, /Echo parameters/, { 'message (required)': 'hello from e2e', count: '2' });
    await runPageShown(e);
    await waitUntilEnded(e);
    await page.getByRole('heading', { name: 'Succeeded', level: 1 }).waitFor();
    const output = await page.getByRole('log', { name: 'Output' }).textContent();
    expect(output?.trim()).toBe('hello from e2e|2');
    const fingerprint = await page.locator('code.fingerprint').textContent();
    expect(fingerprint).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const [stored] = (await e.harness.store.listRuns({ limit: 1 })).items;
    expect(stored).toMatchObject({ job: 'echo', status: 'succeeded', fingerprint, userName: 'ada' });
    expect(e.touches).toContain('run echo');
    // Main's native review was shown (and answered as the person would) before the touch, from the verifier's reply.
    const review = e.reviews.at(-1)!;
    expect(review.text.message).toBe('Run Echo parameters (echo)?');
    expect(review.text.detail).toContain('message: "hello from e2e"');
    expect(review.text.detail).toContain(`Fingerprint: ${fingerprint}`);
    await e.screenshot('result');
  });

  it('declined in main’s review: no touch is asked for, nothing runs', async () => {
    const { page } = e;
    const runsBefore = (await e.harness.store.listRuns({ limit: 100 })).items.length;
    e.person.answer = () => false;
    try {
      await startRun(e, /Echo parameters/, { 'message (required)': 'not this one' });
      await page.getByText('You declined it in keylaunch’s review window', { exact: false }).waitFor({ timeout: TIMEOUT });
      await closeSheet(e);
    } finally {
      e.person.answer = () => true;
    }
    expect(e.reviews.at(-1)!.text.detail).toContain('message: "not this one"');
    expect((await e.harness.store.listRuns({ limit: 100 })).items.length).toBe(runsBefore);
  });

  it('shows the history and a run’s details', async () => {
    const { page } = e;
    await page.getByRole('button', { name: 'History', exact: true }).click();
    await page.getByRole('table').waitFor({ timeout: TIMEOUT });
    await e.screenshot('history');
    await page.getByRole('row').nth(1).getByRole('button').first().click();
    await page.getByRole('heading', { name: 'Succeeded', level: 1 }).waitFor();
    await expect.poll(() => page.getByRole('log', { name: 'Output' }).textContent()).toContain('hello from e2e');
    await e.screenshot('run-detail');
  });

  it('revokes the backup key with a touch', async () => {
    const { page } = e;
    await page.getByRole('button', { name: 'Keys', exact: true }).click();
    await page.getByRole('button', { name: 'Revoke Backup YubiKey' }).click();
    await page.locator('li.key', { hasText: 'Backup YubiKey' }).getByText('revoked').waitFor({ timeout: TIMEOUT });
    await e.screenshot('keys-revoked');
    // The session was made with the primary key, which is still valid; the renderer never went online.
    expect(e.refused).toEqual([]);
  });

  it('locks on request and shows the locked screen again', async () => {
    await e.page.getByRole('button', { name: 'Lock', exact: true }).click();
    await e.page.getByRole('heading', { name: 'keylaunch is locked' }).waitFor();
    // The token died at the verifier too, not only in main's memory.
    await expect.poll(async () => (await e.harness.auditEntries(20)).some((a) => a.action === 'session.end' && a.outcome === 'accepted')).toBe(true);
    expect(e.session.state()).toBeNull();
  });
});

describe('failure paths, each explained', { timeout: 60_000 }, () => {
  let e: DesktopE2e;
  let key: string;
  beforeAll(async () => {
    e = await startDesktopE2e({ userName: 'grace', harness: { config: { runChallengeTtlSeconds: 10 } } });
    key = await e.addKey();
    await enrollAndUnlock(e, 'grace');
  }, 60_000);
  afterAll(() => e?.close());

  /** The failure's text; a failure in the touch sheet is there focused, and is then closed with Escape. */
  const failure = async (code: string, o: { shot?: string } = {}) => {
    const alert = e.page.locator(`[role="alert"][data-code="${code}"]`);
    await alert.waitFor({ timeout: 20_000 });
    const text = await alert.textContent();
    if (await e.page.locator('dialog.sheet[open]').count()) {
      expect(await alert.evaluate((el) => el === document.activeElement && el.closest('dialog') !== null)).toBe(true);
      if (o.shot) await e.screenshot(o.shot, { fullPage: false });
      await closeSheet(e);
    }
    return text;
  };

  it('a failing job: recorded as failed, with its exit code and output', async () => {
    await startRun(e, /Fails/);
    await runPageShown(e);
    await waitUntilEnded(e);
    expect(await failure('job_failed')).toContain('The job failed');
    await e.page.getByRole('heading', { name: 'Failed', level: 1, exact: true }).waitFor();
    await expect.poll(() => e.page.getByRole('log', { name: 'Output' }).textContent()).toContain('broken on purpose');
    expect(await e.page.locator('.line.stream-stderr').count()).toBeGreaterThan(0);
    await e.screenshot('result-failed');
  });

  it('an expired challenge: explained, nothing launched', async () => {
    const launches = e.harness.launcher.launches.length;
    // The touch reaches the verifier after the challenge's 10 s life: move its clock on the way.
    e.overrides.confirmRun = async (arg) => {
      delete e.overrides.confirmRun;
      e.harness.clock.advance(11_000);
      return e.forward('confirmRun', arg);
    };
    try {
      await startRun(e, /Echo parameters/, { 'message (required)': 'too late' });
      expect(await failure('challenge_expired', { shot: 'error-expired' })).toContain('The request expired');
      expect(e.harness.launcher.launches.length).toBe(launches);
    } finally {
      e.harness.clock.advance(-11_000);
    }
  });

  it('no authenticator: the wait ends in a time-out, and the review still showed the fingerprint', async () => {
    await e.removeKey(key);
    await startRun(e, /Echo parameters/, { 'message (required)': 'never runs' });
    await e.page.getByText(/Touch your security key to run/).waitFor({ timeout: TIMEOUT });
    // The sheet shows the fingerprint the review on the page shows.
    const shown = await e.page.getByRole('dialog').locator('code.fingerprint').textContent();
    expect(shown).toMatch(/^.{4}-.{4}$/);
    expect(await e.page.locator('section.review code.fingerprint').textContent()).toBe(shown);
    await e.screenshot('review-waiting', { fullPage: false });
    expect(await failure('timeout', { shot: 'error-timeout' })).toContain('No touch in time');
  });

  it('cancel: the wait stops at once, nothing runs, and it is not shown as a failure', async () => {
    const launches = e.harness.launcher.launches.length;
    await startRun(e, /Echo parameters/, { 'message (required)': 'cancelled' });
    await e.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await e.page.locator('[data-code="cancelled"]').waitFor({ timeout: TIMEOUT });
    expect(await e.page.locator('[data-code="cancelled"]').textContent()).toBe('Cancelled. Nothing was approved or run.');
    expect(await e.page.getByRole('alert').count()).toBe(0);
    expect(e.harness.launcher.launches.length).toBe(launches);
  });

  it('an unregistered key: refused and explained', async () => {
    key = await e.addKey(); // a key that holds no credential for this user
    await startRun(e, /Echo parameters/, { 'message (required)': 'wrong key' });
    // The sheet names the keys that are registered (the one that answered is not).
    await e.page.locator('dialog.sheet[open] [data-code="not_allowed"]').waitFor({ timeout: 20_000 });
    expect(await e.page.getByRole('dialog').textContent()).toContain('Keys registered here for you: Primary YubiKey');
    expect(await failure('not_allowed', { shot: 'error-unregistered-key' })).toContain('registered here');
  });
});
