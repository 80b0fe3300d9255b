import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAdminDirectory } from '../../../backend/adapters/dynamo/adminDirectory';
import { createDynamoStore } from '../../../backend/adapters/dynamo/dynamoStore';
import { createInvite, inviteCodeHash } from '../../../backend/core/invites';
import { systemRandom } from '../../../backend/createVerifier';
import { startLocalDynamo } from '../../../backend/local/localDynamo';

describe('admin directory (on dynalite): people, pending invites, cancel', () => {
  let dynamo: Awaited<ReturnType<typeof startLocalDynamo>>;
  beforeAll(async () => {
    dynamo = await startLocalDynamo({ tableName: 'kl-directory' });
  });
  afterAll(() => dynamo.close());

  test('a canceled invite is no longer pending and can no longer be redeemed; others are untouched', async () => {
    const store = createDynamoStore({ client: dynamo.documents, tableName: 'kl-directory' });
    const directory = createAdminDirectory({ client: dynamo.client, tableName: 'kl-directory' });
    const now = 1_900_000_000_000;
    const deps = { store, clock: { now: () => now }, random: systemRandom };
    const first = await createInvite(deps, { userName: 'ada', role: 'admin', createdBy: 'local-first-start', ttlHours: 24 });
    const byHand = await createInvite(deps, { userName: 'ada', role: 'admin', createdBy: 'cli:me', ttlHours: 24 });
    const other = await createInvite(deps, { userName: 'bob', role: 'operator', createdBy: 'cli:me', ttlHours: 24 });

    expect((await directory.listPendingInvites(now)).map((i) => i.userName)).toEqual(['ada', 'ada', 'bob']);
    expect(await directory.cancelInvites('ada', now + 1, { createdBy: 'local-first-start' })).toBe(1);
    expect(await store.redeemInvite(inviteCodeHash(first.code), now + 2)).toBe(false);
    expect((await store.getInvite(inviteCodeHash(first.code)))?.canceledAt).toBe(now + 1);
    expect((await directory.listInvitesFor('ada')).length).toBe(2);

    expect(await directory.cancelInvites('ada', now + 3)).toBe(1);
    expect(await store.redeemInvite(inviteCodeHash(byHand.code), now + 4)).toBe(false);
    expect((await directory.listPendingInvites(now + 5)).map((i) => i.userName)).toEqual(['bob']);
    expect(await store.redeemInvite(inviteCodeHash(other.code), now + 6)).toBe(true);
    expect(await directory.listPendingInvites(now + 7)).toEqual([]);
  });

  test('lists people with their active keys', async () => {
    const store = createDynamoStore({ client: dynamo.documents, tableName: 'kl-directory' });
    const directory = createAdminDirectory({ client: dynamo.client, tableName: 'kl-directory' });
    await store.createUser({ id: 'u_zed', name: 'zed', role: 'operator', disabled: false, createdAt: 1 });
    await store.createUser({ id: 'u_amy', name: 'amy', role: 'admin', disabled: true, createdAt: 1 });
    const credential = { userId: 'u_zed', publicKey: 'pk', counter: 0, aaguid: '0', transports: [], label: 'key', createdAt: 1 };
    await store.putCredential({ ...credential, id: 'c1' });
    await store.putCredential({ ...credential, id: 'c2', revokedAt: 2 });
    const people = await directory.listPeople();
    expect(people.map((p) => [p.name, p.role, p.disabled, p.activeKeys])).toEqual([
      ['amy', 'admin', true, 0],
      ['zed', 'operator', false, 1],
    ]);
  });

  test('an invite lives from 1 minute to 14 days, as its message says', async () => {
    const store = createDynamoStore({ client: dynamo.documents, tableName: 'kl-directory' });
    const deps = { store, clock: { now: () => 0 }, random: systemRandom };
    const invite = (ttlHours: number) => createInvite(deps, { userName: 'cy', role: 'operator', createdBy: 't', ttlHours });
    for (const ttl of [1 / 3600, 0.0166, -5, Number.NaN, 24 * 14 + 1]) await expect(invite(ttl)).rejects.toThrow('An invite lives from 1 minute to 14 days.');
    await expect(invite(1 / 60)).resolves.toMatchObject({ expiresAt: 60_000 });
  });
});
