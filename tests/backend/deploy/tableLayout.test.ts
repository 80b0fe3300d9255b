import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
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
  it('every audit entry, accepted or refused, is under a partition key the audit deny names', async () => {
    const store = createDynamoStore({ client: dynamo.documents, tableName: 'kl-layout' });
    await store.appendAudit({ id: '01JAUDIT0000000000000000A1', at: Date.now(), action: 'unlock.verify', outcome: 'accepted', sourceIp: '203.0.113.7', userId: 'u_1' });
    await store.appendAudit({ id: '01JAUDIT0000000000000000A2', at: Date.now(), action: 'POST /v1/nope', outcome: 'refused', code: 'not_found', sourceIp: '203.0.113.7' });
    const audit = (await scan()).filter((i) => typeof i.action === 'string' && typeof i.outcome === 'string');
    expect(audit).toHaveLength(2);
    for (const item of audit) expect(AUDIT_PARTITIONS).toContain(item.pk);
    expect((await store.listAudit({ limit: 10 })).items).toHaveLength(2);
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
