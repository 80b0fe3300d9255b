import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { generateKeyPairSync, sign } from 'node:crypto';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { AUDIT_PARTITIONS, TTL_ATTRIBUTE } from '../../../backend/deploy/stack';
import { createDynamoStore } from '../../../backend/adapters/dynamo/dynamoStore';
import { startLocalDynamo } from '../../../backend/local/localDynamo';

/**
 * The stack's IAM deny and TTL name attributes of the table layout that the store writes. Written through
 * the real DynamoDB adapter (dynalite) and read back raw: if the store moves the audit log to another
 * partition key, or expires items under another attribute, the deny or the TTL silently stops applying —
 * this test fails instead.
 */
let dynamo: Awaited<ReturnType<typeof startLocalDynamo>>;
beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'kl-layout' });
});
afterAll(() => dynamo.close());

const scan = async () => ((await dynamo.client.send(new ScanCommand({ TableName: 'kl-layout' }))).Items ?? []).map((i) => unmarshall(i));

describe('the table as the stack protects it', () => {
  it('every item the audit log writes (entries, head, day index, signatures) is under a partition key the audit deny names; nothing else is', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const store = createDynamoStore({ client: dynamo.documents, tableName: 'kl-layout', signer: { keyId: 't', sign: async (m) => sign('sha256', m, { key: privateKey, dsaEncoding: 'der' }) } });
    const before = new Set((await scan()).map((i) => `${i.pk}/${i.sk}`));
    await store.appendAudit({ id: '01JAUDIT0000000000000000A1', at: Date.now(), action: 'unlock.verify', outcome: 'accepted', sourceIp: '203.0.113.7', userId: 'u_1' });
    await store.appendAudit({ id: '01JAUDIT0000000000000000A2', at: Date.now(), action: 'POST /v1/nope', outcome: 'refused', code: 'not_found', sourceIp: '203.0.113.7' });
    await store.appendAudit({ id: '01JAUDIT0000000000000000A3', at: Date.now(), action: 'unlock.verify', outcome: 'accepted', sourceIp: '203.0.113.7', userId: 'u_1' });
    const written = (await scan()).filter((i) => !before.has(`${i.pk}/${i.sk}`));
    // IAM's StringLike: `*` is any run of characters; nothing else is special in these patterns.
    const denied = (pk: string) => AUDIT_PARTITIONS.some((p) => new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\#]/g, '\\$&')).join('.*')}$`).test(pk));
    expect(new Set(written.map((i) => String(i.pk).replace(/#\d{4}-\d{2}-\d{2}$/, '#<day>')))).toEqual(new Set(['AUDITHEAD', 'AUDIT#<day>', 'AUDITDAYS', 'AUDITSIG']));
    for (const item of written) expect(denied(String(item.pk)), String(item.pk)).toBe(true);
    for (const pk of ['USER#u_1', 'USERNAME#ada', 'INVITE#x', 'CHALLENGE#i', 'SESSION#s', 'RUNS', 'RUNS#2026-11-22', 'RUNDAYS', 'RUNINTENT#i', 'RATE#ip:1']) expect(denied(pk), pk).toBe(false);
    // Chained entries are kept: a TTL deletion would break the chain.
    for (const item of written) expect(item[TTL_ATTRIBUTE]).toBeUndefined();
    expect((await store.listAudit({ limit: 10 })).items.map((e) => e.id)).toEqual(['01JAUDIT0000000000000000A3', '01JAUDIT0000000000000000A2', '01JAUDIT0000000000000000A1']);
  });

  it('items that expire carry their expiry under the attribute the table’s TTL reads, in epoch seconds', async () => {
    const store = createDynamoStore({ client: dynamo.documents, tableName: 'kl-layout' });
    const now = Date.now();
    await store.putInvite({ codeHash: 'a'.repeat(64), userName: 'ada', role: 'operator', expiresAt: now + 86_400_000, createdAt: now, createdBy: 'test' });
    const invite = (await scan()).find((i) => String(i.pk).startsWith('INVITE#'))!;
    expect(typeof invite[TTL_ATTRIBUTE]).toBe('number');
    // Seconds, not milliseconds (DynamoDB ignores a TTL more than five years in the future).
    expect(invite[TTL_ATTRIBUTE]).toBeGreaterThan(now / 1000);
    expect(invite[TTL_ATTRIBUTE]).toBeLessThan(now / 1000 + 5 * 365 * 86_400);
  });
});
