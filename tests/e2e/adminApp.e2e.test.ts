import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enrollAndUnlock, runPageShown, startDesktopE2e, startRun, waitUntilEnded, type DesktopE2e } from '../support/desktopE2e';
import { ORIGIN, RP_ID } from '../support/harness';
import { cleanEnv, runCommand } from '../support/cliProcess';
import { trustedKey } from '../../backend/receipt/trustedRecords';
import type { Run } from '../../backend/core/model';

/**
 * Issue 15 §4 end to end, in Chromium with two desktops on one verifier (two pages, two virtual
 * authenticators): an admin invites a colleague from the app with a touch, the colleague enrolls with
 * the code and runs a job with their own touch, and that run's receipt verifies offline with
 * `npm run verify -- receipt`, trusting keys only from an export of the verifier's records.
 */
const TIMEOUT = 15_000;

describe('administration from the app, end to end', { timeout: 180_000 }, () => {
  let admin: DesktopE2e;
  let colleague: DesktopE2e | undefined;
  beforeAll(async () => {
    admin = await startDesktopE2e({ userName: 'ada' });
    await admin.addKey();
  }, 120_000);
  afterAll(async () => {
    await colleague?.close();
    await admin?.close();
  });

  it('an admin invites a colleague (main reviews it, a touch approves it, the code is shown once); the colleague enrolls and runs a job; its receipt verifies offline', async () => {
    const { page } = admin;
    await enrollAndUnlock(admin, 'ada', 'admin');
    await page.getByRole('button', { name: 'Admin', exact: true }).click();
    await page.getByRole('heading', { name: 'Administration' }).waitFor({ timeout: TIMEOUT });
    await page.getByLabel('User name').fill('grace');
    await page.getByLabel('Groups (comma-separated, optional)').fill('sre, db');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const codeField = page.getByRole('textbox', { name: 'Invite code' });
    await codeField.waitFor({ timeout: TIMEOUT });
    const code = await codeField.inputValue();
    expect(code).toMatch(/^KL-[0-9A-Z]{4}-/);
    // Main showed what the touch approved, from the verifier's reply, before the touch.
    const review = admin.reviews.at(-1)!;
    expect(review.review.purpose).toBe('admin');
    expect(review.text.message).toBe('Admin: Invite grace as operator?');
    expect(review.text.detail).toContain('Groups: db, sre');
    expect(admin.touches).toContain('approve an admin action');
    await page.getByText('grace', { exact: true }).first().waitFor({ timeout: TIMEOUT }); // the pending invite
    await admin.screenshot('admin-invite');
    // Shown once: leaving the screen forgets it.
    await page.getByRole('button', { name: 'I have handed it over' }).click();
    expect(await page.getByRole('textbox', { name: 'Invite code' }).count()).toBe(0);
    const audit = (await admin.harness.auditEntries(50)).find((e) => e.action === 'admin.verify');
    expect(audit).toMatchObject({ outcome: 'accepted', userName: 'ada', detail: 'invite grace as operator; groups: db, sre; valid 24 h' });

    // The colleague's own desktop and key.
    colleague = await startDesktopE2e({ userName: 'grace', shared: admin.harness });
    await colleague.addKey();
    await enrollAndUnlock(colleague, 'grace', 'operator', false, code);
    expect(await colleague.page.getByRole('button', { name: 'Admin', exact: true }).count()).toBe(0); // not an admin
    expect((await admin.harness.store.getUserByName('grace'))?.groups).toEqual(['db', 'sre']);
    await startRun(colleague, /Echo parameters/, { 'message (required)': 'invited by ada' });
    await runPageShown(colleague);
    await waitUntilEnded(colleague);
    const [stored] = (await admin.harness.store.listRuns({ limit: 1 })).items;
    expect(stored).toMatchObject({ job: 'echo', userName: 'grace', status: 'succeeded' });

    // The run exactly as GET /v1/runs/{id} answers it, through the colleague's desktop.
    const answer = (await colleague.forward('getRun', { runId: stored!.id })) as { ok: true; value: { run: Run } };
    expect(answer.ok).toBe(true);
    const work = mkdtempSync(join(tmpdir(), 'kl-admin-e2e-'));
    const runFile = join(work, 'run.json');
    writeFileSync(runFile, JSON.stringify(answer.value.run));
    // Keys from the verifier's records (an export), never from the run file.
    const { people } = await admin.harness.store.readDirectory();
    const lines = [
      { kind: 'verifier', rpId: RP_ID, origins: [ORIGIN] },
      ...people.flatMap(({ user, credentials }) => credentials.map((c) => ({ kind: 'key', ...trustedKey(user, c) }))),
    ];
    const keysFile = join(work, 'keys.jsonl');
    writeFileSync(keysFile, lines.map((l) => JSON.stringify(l)).join('\n'));
    const verified = await runCommand('backend/cli/verify.ts', ['receipt', runFile, '--keys', keysFile], cleanEnv());
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/approved by grace/);
    // One byte changed in what was approved: it does not verify.
    const tampered = join(work, 'tampered.json');
    writeFileSync(tampered, JSON.stringify({ ...answer.value.run, intent: answer.value.run.intent!.replace('invited by ada', 'invited by adb') }));
    const refused = await runCommand('backend/cli/verify.ts', ['receipt', tampered, '--keys', keysFile], cleanEnv());
    expect(refused.code).toBe(1);
  });
});
