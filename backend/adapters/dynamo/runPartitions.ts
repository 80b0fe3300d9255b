import { GetCommand, PutCommand, QueryCommand, type DocumentClient } from './documentCommands';
import { KeylaunchError } from '../../core/errors';
import type { Run } from '../../core/model';
import type { Page } from '../../core/ports';
import { key } from './keys';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_ORDERED = /^run_[0-9A-HJKMNP-TV-Z]{10}[0-9A-HJKMNP-TV-Z]{15,16}$/;

/**
 * The UTC day a run is filed under, from its time-ordered id (ids.ts: 48 bits of milliseconds first),
 * so a run is found by its id alone. Ids of another shape (none are made any more) live in the
 * single `RUNS` partition of before.
 */
export function runDay(runId: string): string | undefined {
  if (!TIME_ORDERED.test(runId)) return undefined;
  let value = 0n;
  for (const c of runId.slice(4, 14)) value = (value << 5n) | BigInt(CROCKFORD.indexOf(c));
  const ms = Number(value >> 2n); // 50 bits read, 48 bits of time
  return new Date(ms).toISOString().slice(0, 10);
}

export const runKey = (runId: string) => {
  const day = runDay(runId);
  return day ? key.runOnDay(day, runId) : key.run(runId);
};

/**
 * Runs by day (why: auditChainStore.ts and docs/security.md "Partitions"). A day is added to the
 * `RUNDAYS` index by the first run a process files under it, beside that run's own write (no round
 * trip of its own); listing walks the index newest first, then the `RUNS` partition of before.
 */
export function createRunPartitions(client: DocumentClient, TableName: string) {
  const indexed = new Set<string>();

  async function indexDay(runId: string): Promise<void> {
    const day = runDay(runId);
    if (!day || indexed.has(day)) return;
    await client.send(new PutCommand({ TableName, Item: key.runDay(day) }));
    indexed.add(day);
  }

  /** A run by id: its day partition, or (for the runs of before) the single `RUNS` partition. */
  async function getRunItem(runId: string): Promise<Record<string, unknown> | undefined> {
    const item = (await client.send(new GetCommand({ TableName, Key: runKey(runId), ConsistentRead: true }))).Item;
    if (item || !runDay(runId)) return item;
    // Migrate on read is not needed: runs of before keep their old key, and are found there.
    return (await client.send(new GetCommand({ TableName, Key: key.run(runId), ConsistentRead: true }))).Item;
  }

  async function listRuns({ limit, cursor }: { limit: number; cursor?: string }): Promise<Page<Run>> {
    const items: Record<string, unknown>[] = [];
    let at: Position = cursor ? decodeCursor(cursor) : { day: undefined };
    for (let queries = 0; items.length < limit && queries < 8 && at !== 'end'; queries++) {
      if ('day' in at && at.day === undefined) {
        at = await dayBefore(undefined);
        continue;
      }
      const pk: string = 'day' in at ? key.runOnDay(at.day!, '').pk : key.run('').pk;
      const r: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> } = await client.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ScanIndexForward: false,
          Limit: limit - items.length,
          ...(at.after ? { ExclusiveStartKey: { pk, sk: at.after } } : {}),
        }),
      );
      items.push(...(r.Items ?? []));
      const last: unknown = r.LastEvaluatedKey?.sk;
      if (typeof last === 'string') at = { ...at, after: last };
      else at = 'day' in at ? await dayBefore(at.day) : 'end';
    }
    const runs = items.map(({ pk: _pk, sk: _sk, ...run }) => run as unknown as Run);
    return { items: runs, ...(at !== 'end' ? { cursor: encodeCursor(at) } : {}) };
  }

  /** The newest indexed day before `day` (or the newest of all); after the last, the `RUNS` partition of before. */
  async function dayBefore(day: string | undefined): Promise<Position> {
    const index = key.runDay('').pk;
    const r = await client.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: day ? 'pk = :pk AND sk < :day' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': index, ...(day ? { ':day': day } : {}) },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const found = r.Items?.[0]?.sk;
    return typeof found === 'string' ? { day: found } : { legacy: true };
  }

  return { indexDay, getRunItem, listRuns };
}

type Position = ({ day: string | undefined } | { legacy: true }) & { after?: string } | 'end';

function encodeCursor(at: Exclude<Position, 'end'>): string {
  return Buffer.from(`${'day' in at ? at.day ?? '' : 'legacy'}|${at.after ?? ''}`).toString('base64url');
}

/** The cursor comes back from a client: only the shapes this code makes, checked strictly. */
function decodeCursor(cursor: string): Exclude<Position, 'end'> {
  const text = /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^(\d{4}-\d{2}-\d{2}|legacy|)\|(RUN#[A-Za-z0-9_-]{1,200})?$/.exec(text);
  if (!m) throw new KeylaunchError('bad_request', 'Invalid cursor.');
  const after = m[2] ? { after: m[2] } : {};
  if (m[1] === 'legacy') return { legacy: true, ...after };
  if (m[1] === '') return { day: undefined };
  if (Number.isNaN(Date.parse(`${m[1]}T00:00:00Z`))) throw new KeylaunchError('bad_request', 'Invalid cursor.');
  return { day: m[1], ...after };
}
