import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function prepared(job = 'echo', params: Record<string, unknown> = { message: 'hi', count: 2 }, role: 'admin' | 'operator' = 'operator') {
  const user = await h.enroll({ role });
  const token = await h.session(user);
  const prep = await h.api('POST', '/v1/runs/prepare', { job, params }, token);
  return { user, token, prep };
}

describe('run approval: the good path', () => {
  it('binds the intent, launches once, and keeps a receipt anyone can re-verify', async () => {
    const { user, token, prep } = await prepared();
    expect(prep.status).toBe(200);
    expect(prep.body.fingerprint).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(prep.body.params).toEqual({ message: 'hi', count: 2 });
    expect(prep.body.options.allowCredentials.map((c: any) => c.id)).toEqual([user.credentialId]);

    const assertion = user.authenticator.assert(prep.body.options);
    const launchesBefore = h.launcher.launches.length;
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token);

    expect(res.status).toBe(200);
    // Confirm answers once the job started (issue 12); GET /v1/runs/{id} then shows its end.
    expect(res.body.run).toMatchObject({ status: 'running', launch: { launcher: 'local', pid: expect.any(Number) } });
    const run = await h.ended(res.body.run.id, token);
    expect(run.status).toBe('succeeded');
    expect(run.launch!.stdout!.trim()).toBe('hi|2');
    expect(run.launch!.exitCode).toBe(0);
    expect(run.fingerprint).toBe(prep.body.fingerprint);
    expect(run.userName).toBe(user.name);
    expect(h.launcher.launches.length).toBe(launchesBefore + 1);

    // The stored receipt re-verifies against the challenge anyone can derive from the stored intent.
    const stored = await h.store.getRun(run.id);
    expect(stored?.status).toBe('succeeded');
    const receipt = stored!.receipt;
    const clientData = JSON.parse(Buffer.from(receipt.clientDataJSON, 'base64url').toString());
    expect(clientData.challenge).toBe(prep.body.options.challenge);
    const full = await h.store.getUserWithCredentials(user.userId);
    const cred = full!.credentials[0]!;
    const reverified = await verifyAuthenticationResponse({
      response: { id: receipt.credentialId, rawId: receipt.credentialId, type: 'public-key', clientExtensionResults: {}, response: receipt },
      expectedChallenge: clientData.challenge,
      expectedOrigin: h.config.origins,
      expectedRPID: h.config.rpId,
      credential: { id: cred.id, publicKey: new Uint8Array(Buffer.from(cred.publicKey, 'base64url')), counter: 0 },
      requireUserVerification: false,
    });
    expect(reverified.verified).toBe(true);

    const audit = (await h.auditEntries()).find((e) => e.action === 'run.confirm' && e.runId === run.id);
    expect(audit).toMatchObject({ outcome: 'accepted', job: 'echo', fingerprint: prep.body.fingerprint, userName: user.name, sourceIp: '127.0.0.1' });

    const listed = await h.api('GET', '/v1/runs?limit=5', undefined, token);
    expect(listed.body.runs[0].id).toBe(run.id);
    const got = await h.api('GET', `/v1/runs/${run.id}`, undefined, token);
    expect(got.body.run.id).toBe(run.id);
  });
});

describe('run approval: attacks and failures are refused with their code', () => {
  it('replay: a second submission of the same assertion launches nothing (challenge_used)', async () => {
    const { user, token, prep } = await prepared();
    const assertion = user.authenticator.assert(prep.body.options);
    const first = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token);
    const before = h.launcher.launches.length;
    const second = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token);
    expect(first.status).toBe(200);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('challenge_used');
    expect(h.launcher.launches.length).toBe(before);
    const refused = (await h.auditEntries()).find((e) => e.action === 'run.confirm' && e.code === 'challenge_used' && e.userName === user.name);
    expect(refused?.outcome).toBe('refused');
  });

  it('20 concurrent confirmations of one assertion launch exactly once', async () => {
    const { user, token, prep } = await prepared();
    const assertion = user.authenticator.assert(prep.body.options);
    const before = h.launcher.launches.length;
    const results = await Promise.all(Array.from({ length: 20 }, () => h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 200).every((r) => r.body.error.code === 'challenge_used')).toBe(true);
    expect(h.launcher.launches.length).toBe(before + 1);
  });

  it('an assertion for one intent submitted for another is refused, and neither launches', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    const a = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'harmless' } }, token);
    const b = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'dangerous' } }, token);
    const forA = user.authenticator.assert(a.body.options);
    const before = h.launcher.launches.length;
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: b.body.intentId, assertion: forA }, token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('verification_failed');
    expect(JSON.stringify(res.body)).not.toContain(b.body.options.challenge); // library messages are not echoed
    expect(h.launcher.launches.length).toBe(before);
  });

  it('parameters cannot change after the options: confirm takes none, and other params mean another challenge', async () => {
    const { user, token, prep } = await prepared('echo', { message: 'as approved' });
    const assertion = user.authenticator.assert(prep.body.options);
    const tampered = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion, params: { message: 'rm -rf /' } }, token);
    expect(tampered.status).toBe(400);
    expect(tampered.body.error.code).toBe('bad_request');
    // Same job, other parameters: a different intent, so a different challenge and fingerprint.
    const other = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'something else' } }, token);
    expect(other.body.options.challenge).not.toBe(prep.body.options.challenge);
    expect(other.body.fingerprint).not.toBe(prep.body.fingerprint);
    const ok = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token);
    expect((await h.ended(ok.body.run.id, token)).launch!.stdout!.trim()).toBe('as approved|1');
  });

  it('an expired challenge is refused (challenge_expired) after 60 s', async () => {
    const { user, token, prep } = await prepared();
    expect(prep.body.expiresAt - h.clock.now()).toBeLessThanOrEqual(60_000);
    const assertion = user.authenticator.assert(prep.body.options);
    h.clock.advance(60_001);
    try {
      const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token);
      expect(res.status).toBe(410);
      expect(res.body.error.code).toBe('challenge_expired');
    } finally {
      h.clock.advance(-60_001);
    }
  });

  it.each([
    ['wrong origin', { origin: 'https://evil.test' }],
    ['wrong rpId', { rpId: 'evil.test' }],
    ['wrong ceremony type', { type: 'webauthn.create' }],
    ['no user presence', { up: false }],
  ])('%s is refused (verification_failed) and launches nothing', async (_, tweaks) => {
    const { user, token, prep } = await prepared();
    const assertion = user.authenticator.assert(prep.body.options, tweaks);
    const before = h.launcher.launches.length;
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token);
    expect(res.body.error.code).toBe('verification_failed');
    expect(h.launcher.launches.length).toBe(before);
  });

  it('a job that requires user verification refuses a touch without it, and accepts one with it', async () => {
    const { user, token, prep } = await prepared('needs-uv', {});
    expect(prep.body.options.userVerification).toBe('required');
    const noUv = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: user.authenticator.assert(prep.body.options) }, token);
    expect(noUv.body.error.code).toBe('verification_failed');
    const again = await h.api('POST', '/v1/runs/prepare', { job: 'needs-uv', params: {} }, token);
    const withUv = await h.api('POST', '/v1/runs/confirm', { intentId: again.body.intentId, assertion: user.authenticator.assert(again.body.options, { uv: true }) }, token);
    expect((await h.ended(withUv.body.run.id, token)).status).toBe('succeeded');
  });

  it('a changed job config between touch and launch is refused (job_config_changed)', async () => {
    const { user, token, prep } = await prepared();
    const assertion = user.authenticator.assert(prep.body.options);
    const { sampleJobs } = await import('../../support/sampleJobs');
    const changed = sampleJobs.map((j) => (j.name === 'echo' ? { ...j, target: { ...j.target, argv: [process.execPath, '-e', 'console.log("other")'] } } : j));
    await new Promise((r) => setTimeout(r, 20)); // a distinct mtime
    h.writeJobs(changed);
    try {
      const before = h.launcher.launches.length;
      const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token);
      expect(res.body.error.code).toBe('job_config_changed');
      expect(h.launcher.launches.length).toBe(before);
    } finally {
      h.writeJobs(sampleJobs);
    }
  });

  it('authorization: an operator may not prepare an admins-only job; an admin may', async () => {
    const { prep } = await prepared('admins-only', {});
    expect(prep.status).toBe(403);
    expect(prep.body.error.code).toBe('not_authorized');
    const admin = await prepared('admins-only', {}, 'admin');
    expect(admin.prep.status).toBe(200);
  });

  it('authorization is checked again at confirm: a user demoted after the touch launches nothing', async () => {
    const { user, token, prep } = await prepared('admins-only', {}, 'admin');
    const assertion = user.authenticator.assert(prep.body.options);
    // An admin demotes them in the table between the touch and the confirmation.
    const { UpdateCommand } = await import('../../../backend/adapters/dynamo/documentCommands');
    await h.documents.send(new UpdateCommand({ TableName: 'kl-test', Key: { pk: `USER#${user.userId}`, sk: 'USER' }, UpdateExpression: 'SET #r = :r', ExpressionAttributeNames: { '#r': 'role' }, ExpressionAttributeValues: { ':r': 'operator' } }));
    const before = h.launcher.launches.length;
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token);
    expect(res.body.error.code).toBe('not_authorized');
    expect(h.launcher.launches.length).toBe(before);
  });

  it('unknown and unavailable jobs, and invalid parameters, are refused before any challenge exists', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    const unknown = await h.api('POST', '/v1/runs/prepare', { job: 'nope', params: {} }, token);
    expect(unknown.body.error.code).toBe('job_unknown');
    const broken = await h.api('POST', '/v1/runs/prepare', { job: 'broken', params: {} }, token);
    expect(broken.body.error.code).toBe('job_unavailable');
    const bad = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'x', count: 9, extra: 1 } }, token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('params_invalid');
    expect(Object.keys(bad.body.error.details.fields).sort()).toEqual(['count', 'extra']);
  });

  it('a failing job is recorded as a failed run with its exit code and output, and audited', async () => {
    const { user, token, prep } = await prepared('fails', {});
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: user.authenticator.assert(prep.body.options) }, token);
    expect(res.status).toBe(200);
    expect(res.body.run.status).toBe('running');
    const run = await h.ended(res.body.run.id, token);
    expect(run).toMatchObject({ status: 'failed', failure: { code: 'job_failed', message: 'exited with code 3' }, launch: { exitCode: 3 } });
    expect(run.launch!.stderr).toContain('broken on purpose');
    expect(run.launch!.durationMs).toEqual(expect.any(Number));
    expect((await h.store.getRun(res.body.run.id))?.status).toBe('failed');
    // The confirmation was accepted: the job started. Its end is on the run.
    const audit = (await h.auditEntries()).find((e) => e.action === 'run.confirm' && e.runId === res.body.run.id);
    expect(audit?.outcome).toBe('accepted');
  });

  it('a launcher that cannot start the job records a failed run (launch_failed)', async () => {
    const { user, token, prep } = await prepared('missing-binary', {});
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: user.authenticator.assert(prep.body.options) }, token);
    expect(res.body.run).toMatchObject({ status: 'failed', failure: { code: 'launch_failed' } });
    expect((await h.store.getRun(res.body.run.id))?.failure?.code).toBe('launch_failed');
    const audit = (await h.auditEntries()).find((e) => e.action === 'run.confirm' && e.runId === res.body.run.id);
    expect(audit?.detail).toContain('launch failed');
  });

  it('secret parameters come with the confirmation, reach the job, and are never stored, logged or returned', async () => {
    const { user, token, prep } = await prepared('with-secret', { target: 'staging' });
    expect(prep.body.secretParams).toEqual(['token']);
    const inPrepare = await h.api('POST', '/v1/runs/prepare', { job: 'with-secret', params: { target: 'staging', token: '123456' } }, token);
    expect(inPrepare.body.error.code).toBe('params_invalid');
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: user.authenticator.assert(prep.body.options), secrets: { token: '493817' } }, token);
    expect(res.status).toBe(200);
    expect(h.launcher.launches.at(-1)?.secrets).toEqual({ token: '493817' });
    expect(res.body.run.params).toEqual({ target: 'staging', token: '[secret]' });
    const run = await h.ended(res.body.run.id, token);
    expect(run.launch!.stdout).toContain('token is [secret]');
    const everything = JSON.stringify([res.body, run, await h.store.getRun(res.body.run.id), await h.auditEntries(1000)]);
    expect(everything).not.toContain('493817');
  });

  it('operations need a valid session: missing, forged and expired tokens are refused', async () => {
    const { token } = await prepared();
    const none = await h.api('GET', '/v1/jobs');
    expect(none.body.error.code).toBe('session_invalid');
    const [v, payload, mac] = token.split('.');
    const forged = await h.api('GET', '/v1/jobs', undefined, `${v}.${payload}.${mac!.slice(0, -2)}AA`);
    expect(forged.body.error.code).toBe('session_invalid');
    h.clock.advance(h.config.sessionTtlSeconds * 1000 + 1);
    try {
      const expired = await h.api('GET', '/v1/jobs', undefined, token);
      expect(expired.body.error.code).toBe('session_expired');
    } finally {
      h.clock.advance(-(h.config.sessionTtlSeconds * 1000 + 1));
    }
    const ok = await h.api('GET', '/v1/jobs', undefined, token);
    expect(ok.body.jobs.map((j: any) => j.name)).toContain('echo');
    expect(ok.body.jobs.find((j: any) => j.name === 'broken')).toMatchObject({ available: false });
    expect(ok.body.jobs.find((j: any) => j.name === 'admins-only')).toBeUndefined();
  });
});
