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
    const run = res.body.run;
    expect(run.status).toBe('succeeded');
    expect(run.launch.stdout.trim()).toBe('hi|2');
    expect(run.launch.exitCode).toBe(0);
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
