import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStore } from '../../../backend/adapters/dynamo/dynamoStore';
import { startLocalDynamo } from '../../../backend/local/localDynamo';
import type { Store } from '../../../backend/core/ports';
import type { DocumentClient } from '../../../backend/adapters/dynamo/documentCommands';
import { signedDocuments } from '../../../backend/adapters/dynamo/signedDocuments';
import { createSignedJsonClient } from '../../../backend/adapters/aws/signedJsonClient';
import type { ChallengeRecord, Credential } from '../../../backend/core/model';

/**
 * The store's rules on the real DynamoDB protocol, over both transports: the SDK's DocumentClient (local
 * mode, CLIs) and the small signed client that the Lambda cold start uses.
 */
const transports: Record<string, (endpoint: string, sdk: DocumentClient) => DocumentClient> = {
  'the SDK DocumentClient': (_endpoint, sdk) => sdk,
  'the signed client (Lambda)': (endpoint) =>
    signedDocuments(
      createSignedJsonClient({ endpoint, region: 'eu-west-1', signingName: 'dynamodb', targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0', credentials: () => ({ accessKeyId: 'local', secretAccessKey: 'local' }) }),
    ),
};

const now = 1_800_000_000_000;
const challenge = (intentId: string, expiresAt = now + 60_000): ChallengeRecord => ({
  intentId,
  purpose: 'unlock',
  challenge: 'c',
  nonce: 'n',
  expiresAt,
  intent: { v: 1, purpose: 'unlock', userId: 'u', allowCredentials: ['k'], origin: ['https://a.test'], rpId: 'a.test', expiresAt },
});

describe.each(Object.keys(transports))('DynamoDB store over %s (on dynalite)', (transport) => {
  let dynamo: Awaited<ReturnType<typeof startLocalDynamo>>;
  let store: Store;
  beforeAll(async () => {
    dynamo = await startLocalDynamo({ tableName: 'kl-store' });
    store = createDynamoStore({ client: transports[transport]!(dynamo.endpoint, dynamo.documents), tableName: 'kl-store' });
  });
  afterAll(() => dynamo.close());

  it('reads the admin directory with a filtered Scan (people with their keys, invites, grants), and grants approve once, never by the asker', async () => {
    const before = await store.readDirectory();
    for (let i = 0; i < 30; i++) {
      const id = `u_dir${i}`;
      await store.createUser({ id, name: `dir${i}-${transport.length}`, role: 'operator', disabled: false, createdAt: now, ...(i % 2 ? { groups: ['sre'] } : {}) });
      await store.putCredential({ id: `k_dir${i}`, userId: id, publicKey: 'pk', counter: 0, aaguid: 'a', transports: [], label: `key ${i}`, createdAt: now });
      // Items that are not the directory, which the filter leaves out.
      await store.putChallenge(challenge(`int_dirbulk${i}`));
    }
    await store.putInvite({ codeHash: 'h_dir', userName: 'invited', role: 'operator', groups: ['db'], createdAt: now, createdBy: 'ada', expiresAt: now + 60_000 });
    await store.putAdminGrant({ id: 'grant_dir', userId: 'u_dir1', userName: 'dir1', role: 'admin', requestedBy: 'u_a', requestedByName: 'ada', createdAt: now, expiresAt: now + 60_000 });
    const dir = await store.readDirectory();
    expect(dir.people.length - before.people.length).toBe(30);
    const one = dir.people.find((p) => p.user.id === 'u_dir1')!;
    expect(one.user.groups).toEqual(['sre']);
    expect(one.credentials.map((c) => c.id)).toEqual(['k_dir1']);
    expect(dir.invites.find((i) => i.codeHash === 'h_dir')).toMatchObject({ groups: ['db'] });
    expect(dir.grants.map((g) => g.id)).toContain('grant_dir');

    await store.setUserGroups('u_dir2', ['a', 'b']);
    await store.setUserRole('u_dir2', 'admin');
    expect((await store.getUserWithCredentials('u_dir2'))!.user).toMatchObject({ role: 'admin', groups: ['a', 'b'] });
    await expect(store.setUserRole('u_nobody', 'admin')).rejects.toThrow();

    expect(await store.approveAdminGrant('grant_dir', 'u_a', now)).toBe(false); // the asker
    expect(await store.approveAdminGrant('grant_dir', 'u_b', now + 60_000)).toBe(false); // expired
    const racing = await Promise.all(Array.from({ length: 10 }, (_, i) => store.approveAdminGrant('grant_dir', `u_x${i}`, now)));
    expect(racing.filter(Boolean)).toHaveLength(1);

    expect(await store.cancelInvite('h_dir', now)).toBe(true);
    expect(await store.cancelInvite('h_dir', now)).toBe(false);
    expect(await store.redeemInvite('h_dir', now)).toBe(false);
  });

  it('consumes a challenge exactly once under 20 concurrent attempts', async () => {
    await store.putChallenge(challenge('int_race'));
    const results = await Promise.all(Array.from({ length: 20 }, () => store.consumeChallenge('int_race', now)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'used')).toHaveLength(19);
  });

  it('keeps expiry in the condition: an expired record is not consumed', async () => {
    await store.putChallenge(challenge('int_old', now - 1));
    expect(await store.consumeChallenge('int_old', now)).toEqual({ ok: false, reason: 'expired' });
    expect(await store.consumeChallenge('int_missing', now)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('returns the intent byte-for-byte, so the challenge can be re-derived', async () => {
    const record = challenge('int_bytes');
    record.intent = { v: 1, purpose: 'unlock', userId: 'u', allowCredentials: ['b', 'a'], origin: ['https://a.test'], rpId: 'a.test', expiresAt: now + 60_000 };
    await store.putChallenge(record);
    const got = await store.consumeChallenge('int_bytes', now);
    expect(got.ok && JSON.stringify(got.record.intent)).toBe(JSON.stringify(record.intent));
  });

  it('advances counters only upward (or 0 -> 0), and only on active credentials', async () => {
    await store.createUser({ id: 'u_c', name: 'counter-user', role: 'operator', disabled: false, createdAt: now });
    const cred: Credential = { id: 'cred1', userId: 'u_c', publicKey: 'pk', counter: 0, aaguid: 'x', transports: [], label: 'l', createdAt: now };
    await store.putCredential(cred);
    expect(await store.advanceCounter('u_c', 'cred1', 0, now)).toBe('advanced');
    expect(await store.advanceCounter('u_c', 'cred1', 5, now)).toBe('advanced');
    expect(await store.advanceCounter('u_c', 'cred1', 5, now)).toBe('regressed');
    expect(await store.advanceCounter('u_c', 'cred1', 0, now)).toBe('regressed');
    expect(await store.advanceCounter('u_c', 'cred1', 6, now)).toBe('advanced');
    await store.setCredentialState('u_c', 'cred1', { revokedAt: now });
    expect(await store.advanceCounter('u_c', 'cred1', 7, now)).toBe('inactive');
  });

  it('keeps user names unique', async () => {
    await store.createUser({ id: 'u_1', name: 'same', role: 'operator', disabled: false, createdAt: now });
    await expect(store.createUser({ id: 'u_2', name: 'same', role: 'admin', disabled: false, createdAt: now })).rejects.toMatchObject({ code: 'user_exists' });
    expect((await store.getUserByName('same'))?.id).toBe('u_1');
  });

  it('redeems an invite once, and never after it expires', async () => {
    await store.putInvite({ codeHash: 'h1', userName: 'i', role: 'operator', createdAt: now, createdBy: 't', expiresAt: now + 1000 });
    await store.putInvite({ codeHash: 'h2', userName: 'j', role: 'operator', createdAt: now, createdBy: 't', expiresAt: now - 1 });
    const both = await Promise.all([store.redeemInvite('h1', now), store.redeemInvite('h1', now)]);
    expect(both.sort()).toEqual([false, true]);
    expect(await store.redeemInvite('h2', now)).toBe(false);
  });

  it('pages runs newest first with an opaque cursor', async () => {
    const base = { job: 'j', params: {}, intentHash: 'h', fingerprint: 'f', configVersions: {}, userId: 'u', userName: 'n', credentialId: 'c', sourceIp: '127.0.0.1', status: 'succeeded' as const, createdAt: now, updatedAt: now, receipt: { credentialId: 'c', authenticatorData: 'a', clientDataJSON: 'b', signature: 's' } };
    for (const id of ['run_01', 'run_02', 'run_03']) await store.createRun({ ...base, id });
    const first = await store.listRuns({ limit: 2 });
    expect(first.items.map((r) => r.id)).toEqual(['run_03', 'run_02']);
    const second = await store.listRuns({ limit: 2, cursor: first.cursor! });
    expect(second.items.map((r) => r.id)).toEqual(['run_01']);
    await expect(store.createRun({ ...base, id: 'run_01' })).rejects.toThrow();
  });

  it('finds a run by the intent it was launched from, and keeps one run per intent', async () => {
    const base = { job: 'j', params: {}, intentHash: 'h', fingerprint: 'f', configVersions: {}, userId: 'u', userName: 'n', credentialId: 'c', sourceIp: '127.0.0.1', status: 'running' as const, createdAt: now, updatedAt: now, receipt: { credentialId: 'c', authenticatorData: 'a', clientDataJSON: 'b', signature: 's' } };
    expect(await store.getRunByIntent('int_x')).toBeUndefined();
    await store.reserveRun('int_x', 'run_x1');
    expect(await store.getRunByIntent('int_x')).toBeUndefined(); // claimed, not yet made: no run
    await store.createRun({ ...base, id: 'run_x1', intentId: 'int_x' });
    await expect(store.reserveRun('int_x', 'run_x2')).rejects.toThrow();
    await expect(store.createRun({ ...base, id: 'run_x1', intentId: 'int_x' })).rejects.toThrow();
    expect(await store.getRunByIntent('int_x')).toMatchObject({ id: 'run_x1', intentId: 'int_x', status: 'running' });
    await store.updateRun({ ...base, id: 'run_x1', intentId: 'int_x', status: 'succeeded' });
    expect((await store.getRunByIntent('int_x'))?.status).toBe('succeeded');
    expect((await store.listRuns({ limit: 100 })).items.filter((r) => r.intentId === 'int_x').map((r) => r.id)).toEqual(['run_x1']);
  });

  it('keeps a log of failures per key: the newest first, since a time, at most a limit', async () => {
    await store.recordFailure(['ip:1.2.3.4', 'user:x'], 1000, 61_000);
    await store.recordFailure(['ip:1.2.3.4'], 1000, 61_000); // the same millisecond: both kept
    await store.recordFailure(['ip:1.2.3.4'], 5000, 65_000);
    await store.recordFailure(['ip:1.2.3.40'], 9000, 69_000); // a key that shares a prefix
    expect(await store.recentFailures('ip:1.2.3.4', 0, 10)).toEqual([5000, 1000, 1000]);
    expect(await store.recentFailures('ip:1.2.3.4', 1001, 10)).toEqual([5000]);
    expect(await store.recentFailures('ip:1.2.3.4', 0, 2)).toEqual([5000, 1000]);
    expect(await store.recentFailures('user:x', 0, 10)).toEqual([1000]);
    expect(await store.recentFailures('user:y', 0, 10)).toEqual([]);
  });

  // From an attacker's review: a conditional write that landed but whose answer was lost is retried by
  // the transport; the retry fails the condition. That must read as done, not as a replay or a clone.
  it('a consume and a counter advance whose answers were lost, then retried, still count as done', async () => {
    const retrying = (inner: DocumentClient): DocumentClient => ({
      async send(command) {
        if (command.operation !== 'UpdateItem') return inner.send(command);
        await inner.send(command); // it commits…
        return inner.send(command); // …the answer is lost, and the transport sends it again
      },
    });
    const lossy = createDynamoStore({ client: retrying(transports[transport]!(dynamo.endpoint, dynamo.documents)), tableName: 'kl-store' });
    await store.putChallenge(challenge('int_lost_answer'));
    const consumed = await lossy.consumeChallenge('int_lost_answer', now);
    expect(consumed).toMatchObject({ ok: true, record: { intentId: 'int_lost_answer' } });
    expect(await store.consumeChallenge('int_lost_answer', now)).toEqual({ ok: false, reason: 'used' }); // still single use

    await store.createUser({ id: 'u-lost', name: `lost-${transport.length}`, role: 'operator', disabled: false, createdAt: now });
    const cred: Credential = { id: 'c-lost', userId: 'u-lost', publicKey: 'pk', counter: 5, aaguid: 'a', transports: [], label: 'k', createdAt: now };
    await store.putCredential(cred);
    expect(await lossy.advanceCounter('u-lost', 'c-lost', 6, now)).toBe('advanced');
    expect(await store.advanceCounter('u-lost', 'c-lost', 6, now)).toBe('regressed'); // a real replay of 6 still is
    const [loaded] = (await store.getUserWithCredentials('u-lost'))!.credentials;
    expect(loaded).toMatchObject({ id: 'c-lost', counter: 6 });
    expect(loaded).not.toHaveProperty('counterWrite');
  });
});
