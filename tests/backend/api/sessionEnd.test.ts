import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';
import { createVerifierClient } from '../../../electron/main/verifierClient';

/**
 * Issue 10 §3 on the verifier: locking the desktop ends its session at the verifier (POST /v1/session/end),
 * and a configured minDesktopVersion refuses older desktops on every call (client_outdated).
 */
describe('ending a session at the verifier', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('a token ended by the desktop is refused everywhere afterwards, and the end is audited', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    expect((await h.api('GET', '/v1/jobs', undefined, token)).status).toBe(200);
    const ended = await h.api('POST', '/v1/session/end', {}, token);
    expect(ended).toMatchObject({ status: 200, body: { ended: true } });
    const after = await h.api('GET', '/v1/jobs', undefined, token);
    expect(after).toMatchObject({ status: 401, body: { error: { code: 'session_invalid' } } });
    expect((await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'x' } }, token)).body.error.code).toBe('session_invalid');
    const audit = await h.auditEntries(10);
    expect(audit.find((a) => a.action === 'session.end')).toMatchObject({ outcome: 'accepted', userName: user.name });
  });

  it('ends only that session: another unlock of the same person still works', async () => {
    const user = await h.enroll();
    const first = await h.session(user);
    const second = await h.session(user);
    await h.api('POST', '/v1/session/end', {}, first);
    expect((await h.api('GET', '/v1/jobs', undefined, second)).status).toBe(200);
  });

  it('refuses to end without a genuine token', async () => {
    expect(await h.api('POST', '/v1/session/end', {})).toMatchObject({ status: 401, body: { error: { code: 'session_invalid' } } });
    expect(await h.api('POST', '/v1/session/end', {}, 'v1.forged.token')).toMatchObject({ status: 401, body: { error: { code: 'session_invalid' } } });
  });
});

describe('the minimum desktop version', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { minDesktopVersion: '0.2.0' } });
  });
  afterAll(() => h?.close());

  it.each([
    ['an older desktop', { 'x-keylaunch-desktop-version': '0.1.9' }, { minimumVersion: '0.2.0', yourVersion: '0.1.9' }],
    ['a desktop that does not say (every release before the switch)', {}, { minimumVersion: '0.2.0' }],
    ['a version that is not one', { 'x-keylaunch-desktop-version': 'latest' }, { minimumVersion: '0.2.0' }],
  ])('refuses %s with client_outdated and the version to install, counted as a refusal', async (_, headers, details) => {
    const r = await h.api('POST', '/v1/unlock/options', { userName: 'nobody' }, undefined, headers);
    expect(r).toMatchObject({ status: 426, body: { error: { code: 'client_outdated', details } } });
    // Refused before anyone is identified: a log line and a metric, no audit row (docs/api.md).
    expect(h.events.at(-1)).toMatchObject({ action: 'unlock.options', code: 'client_outdated', Refused: 1 });
  });

  it('serves a desktop at or above the minimum, which the desktop client says on every call', async () => {
    expect((await h.api('POST', '/v1/unlock/options', { userName: 'nobody' }, undefined, { 'x-keylaunch-desktop-version': '0.2.0' })).body.error?.code).not.toBe('client_outdated');
    const newer = createVerifierClient({ verifierUrl: h.url, desktopVersion: '0.3.1' });
    const older = createVerifierClient({ verifierUrl: h.url, desktopVersion: '0.1.0' });
    expect(await newer.call('GET', '/v1/jobs')).toMatchObject({ ok: false, error: { code: 'session_invalid' } });
    expect(await older.call('GET', '/v1/jobs')).toMatchObject({ ok: false, error: { code: 'client_outdated', details: { minimumVersion: '0.2.0' } } });
  });
});
