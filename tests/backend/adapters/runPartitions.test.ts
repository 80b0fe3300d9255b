import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStore } from '../../../backend/adapters/dynamo/dynamoStore';
import { PutCommand, QueryCommand } from '../../../backend/adapters/dynamo/documentCommands';
import { runDay } from '../../../backend/adapters/dynamo/runPartitions';
import { timeOrderedId } from '../../../backend/core/ids';
import { isKeylaunchError } from '../../../backend/core/errors';
import { startLocalDynamo } from '../../../backend/local/localDynamo';
import type { Run } from '../../../backend/core/model';

/**
 * Runs by day partition over dynalite: found by id alone, listed newest first across days and then
 * the single `RUNS` partition of before (data from earlier versions), with a cursor a client cannot bend.
 */
const TABLE = 'kl-runs';
let dynamo: Awaited<ReturnType<typeof startLocalDynamo>>;
beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: TABLE });
});
afterAll(() => dynamo?.close());

const random = { bytes: (n: number) => Buffer.alloc(n, 7) };
const idAt = (iso: string) => timeOrderedId('run_', { now: () => Date.parse(iso) }, random);
const run = (id: string, createdAt: number): Run => ({
  id, job: 'j', params: {}, intentHash: 'h', fingerprint: 'f', configVersions: {}, userId: 'u', userName: 'n', credentialId: 'c', sourceIp: '127.0.0.1',
  status: 'running', createdAt, updatedAt: createdAt, receipt: { credentialId: 'c', authenticatorData: 'a', clientDataJSON: 'b', signature: 's' },
});

describe('runs by day', () => {
  it('files a run under the UTC day of its id', () => {
    expect(runDay(idAt('2026-11-21T23:59:59.999Z'))).toBe('2026-11-21');
    expect(runDay(idAt('2026-11-22T00:00:00.000Z'))).toBe('2026-11-22');
    expect(runDay('run_01')).toBeUndefined();
    expect(runDay('run_ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toMatch(/^[+\d]/); // any 26 valid characters still name some day, never throw
  });

  it('lists newest first across days, then runs of before from the single RUNS partition; each found, and updated where it is', async () => {
    const store = createDynamoStore({ client: dynamo.documents, tableName: TABLE });
    const days = ['2026-11-19T10:00:00Z', '2026-11-21T08:00:00Z', '2026-11-21T09:00:00Z', '2026-11-22T07:00:00Z'];
    const fresh = days.map((iso) => run(idAt(iso), Date.parse(iso)));
    for (const r of fresh) await store.createRun(r);
    // Two runs as an earlier version stored them: time-ordered ids, in the one RUNS partition.
    const old = ['2026-10-01T10:00:00Z', '2026-10-02T10:00:00Z'].map((iso) => run(idAt(iso), Date.parse(iso)));
    for (const r of old) await dynamo.documents.send(new PutCommand({ TableName: TABLE, Item: { pk: 'RUNS', sk: `RUN#${r.id}`, ...r } }));

    const partitions = (await dynamo.documents.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'RUNDAYS' } }))).Items!.map((i) => i.sk);
    expect(partitions).toEqual(['2026-11-19', '2026-11-21', '2026-11-22']);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await store.listRuns({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((r) => r.id));
      cursor = page.cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual([...fresh, ...old].sort((a, b) => b.createdAt - a.createdAt).map((r) => r.id));

    expect((await store.getRun(old[0]!.id))?.id).toBe(old[0]!.id);
    await store.updateRun({ ...old[0]!, status: 'lost' });
    expect((await store.getRun(old[0]!.id))?.status).toBe('lost');
    await store.updateRun({ ...fresh[0]!, status: 'succeeded' });
    expect((await store.getRun(fresh[0]!.id))?.status).toBe('succeeded');
    await expect(store.updateRun(run(idAt('2026-11-23T00:00:00Z'), 0))).rejects.toThrow(); // never made: not created by an update
  });

  it.each([
    ['not base64url', '***'],
    ['another partition', Buffer.from('USER#u|RUN#x').toString('base64url')],
    ['a sort key of another kind', Buffer.from('2026-11-21|CRED#x').toString('base64url')],
    ['an impossible day', Buffer.from('2026-13-45|').toString('base64url')],
    ['a key expression', Buffer.from("2026-11-21|RUN#x' OR pk = 'USER").toString('base64url')],
  ])('refuses a bent cursor (%s) with bad_request', async (_, cursor) => {
    const store = createDynamoStore({ client: dynamo.documents, tableName: TABLE });
    const error = await store.listRuns({ limit: 2, cursor }).then(() => undefined, (e: unknown) => e);
    expect(isKeylaunchError(error) && error.code).toBe('bad_request');
  });
});
