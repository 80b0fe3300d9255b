import { GetCommand, PutCommand, QueryCommand, type DocumentClient } from './documentCommands';
import { KeylaunchError } from '../../core/errors';
import type { AuditEntry } from '../../core/model';
import type { AuditChainStore, AuditHead, HeadSignature, Page } from '../../core/ports';
import { key, seqKey } from './keys';

const isConditionFailure = (e: unknown) => e instanceof Error && e.name === 'ConditionalCheckFailedException';
const entryOf = (item: Record<string, unknown>): AuditEntry => {
  const { pk: _pk, sk: _sk, ttl: _ttl, ...rest } = item;
  return rest as unknown as AuditEntry;
};
/** Above every 12-digit seq key: "from the newest entry of that day". */
const DAY_END = 10 ** 12;

/**
 * The audit chain on DynamoDB. Why days: every write to one partition key shares that partition's
 * 1,000 WCU/s, and a single `AUDIT` key also piles every entry ever into one item collection. By day,
 * each day's entries are their own partition and old days are never written again. The head item is
 * one item written by every append: that, not a partition limit, bounds the audit rate (docs/security.md).
 *
 * The newest entry lives whole in the head item; the next append copies it to its day partition in the
 * same round trip as it moves the head, so an append is one round trip (a conditional PutItem on the
 * head, beside two plain puts). Readers take the head's entry as the newest.
 */
export function createDynamoAuditChain(client: DocumentClient, TableName: string): AuditChainStore & { listAudit(o: { limit: number; cursor?: string }): Promise<Page<AuditEntry>> } {
  const query = (pk: string, extra: Record<string, unknown> = {}) =>
    client.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true, ...extra }));

  async function readAll(pk: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const r = await query(pk, ExclusiveStartKey ? { ExclusiveStartKey } : {});
      items.push(...(r.Items ?? []));
      ExclusiveStartKey = r.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  async function readAuditHead(): Promise<AuditHead | undefined> {
    const item = (await client.send(new GetCommand({ TableName, Key: key.auditHead(), ConsistentRead: true }))).Item;
    if (!item) return undefined;
    return { seq: Number(item.seq), hash: String(item.hash), day: String(item.day), sealedAt: Number(item.sealedAt), entry: JSON.parse(String(item.entry)) as AuditEntry };
  }

  const copy = (entry: AuditEntry) =>
    client.send(new PutCommand({ TableName, Item: { ...key.auditEntry(entry.day!, entry.seq!), ...entry }, ConditionExpression: 'attribute_not_exists(pk)' })).catch((e: unknown) => {
      if (!isConditionFailure(e)) throw e; // already copied: the same entry, by us or by another writer
    });

  async function advanceAuditHead(expected: AuditHead | undefined, next: AuditHead): Promise<boolean> {
    const head = client.send(
      new PutCommand({
        TableName,
        Item: { ...key.auditHead(), seq: next.seq, hash: next.hash, day: next.day, sealedAt: next.sealedAt, entry: JSON.stringify(next.entry) },
        ...(expected
          ? { ConditionExpression: '#seq = :seq AND #hash = :hash', ExpressionAttributeNames: { '#seq': 'seq', '#hash': 'hash' }, ExpressionAttributeValues: { ':seq': expected.seq, ':hash': expected.hash } }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      }),
    );
    const day = !expected || expected.day !== next.day ? client.send(new PutCommand({ TableName, Item: { ...key.auditDay(next.day) } })) : undefined;
    const [moved, copied, indexed] = await Promise.allSettled([head, expected ? copy(expected.entry) : undefined, day]);
    if (moved.status === 'rejected') {
      if (isConditionFailure(moved.reason)) return false;
      throw moved.reason;
    }
    // The head moved on: the entry it held must now be in its partition, or it is lost. Retry the copy.
    for (let attempt = 0; copied.status === 'rejected' && attempt < 3; attempt++) {
      try {
        await copy(expected!.entry);
        break;
      } catch (e) {
        if (attempt === 2) throw new Error(`AUDIT ENTRY NOT COPIED ${JSON.stringify(expected!.entry)}`, { cause: e });
      }
    }
    if (indexed.status === 'rejected') await client.send(new PutCommand({ TableName, Item: { ...key.auditDay(next.day) } }));
    return true;
  }

  async function putHeadSignature(s: HeadSignature): Promise<void> {
    await client.send(new PutCommand({ TableName, Item: { ...key.auditSignature(s.seq), ...s }, ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  async function readAuditChain() {
    // The head first: whatever moves on while the days are read was copied out of it, so nothing is missed.
    const head = await readAuditHead();
    const days = (await readAll(key.auditDay('').pk)).map((i) => String(i.sk));
    const entries = new Map<string, AuditEntry>();
    for (const day of days) for (const item of await readAll(key.auditEntry(day, 0).pk)) entries.set(`${item.seq}/${item.hash}`, entryOf(item));
    if (head) entries.set(`${head.entry.seq}/${head.entry.hash}`, head.entry);
    const legacy = (await readAll(key.audit('').pk)).map(entryOf);
    const signatures = (await readAll(key.auditSignature(0).pk)).map((i) => entryOf(i) as unknown as HeadSignature);
    return { entries: [...legacy, ...entries.values()], signatures, ...(head ? { head } : {}) };
  }

  /** Newest first: the head's entry, then each day's partition back in time, then the unchained `AUDIT` items. */
  async function listAudit({ limit, cursor }: { limit: number; cursor?: string }): Promise<Page<AuditEntry>> {
    const items: AuditEntry[] = [];
    let at: Position;
    if (cursor) at = decodeCursor(cursor);
    else {
      const head = await readAuditHead();
      if (head) items.push(head.entry);
      at = head ? { day: head.day, below: head.seq } : { legacy: undefined };
    }
    // Bounded work per page: a page may come back short, with a cursor to go on.
    for (let queries = 0; items.length < limit && queries < 8 && at !== 'end'; queries++) {
      if ('day' in at) {
        const r = await query(key.auditEntry(at.day, 0).pk, { KeyConditionExpression: 'pk = :pk AND sk < :below', ExpressionAttributeValues: { ':pk': key.auditEntry(at.day, 0).pk, ':below': seqKey(at.below) }, ScanIndexForward: false, Limit: limit - items.length });
        const found = (r.Items ?? []).map(entryOf);
        items.push(...found);
        if (found.length) at = { day: at.day, below: found.at(-1)!.seq! };
        if (r.LastEvaluatedKey || items.length >= limit) continue;
        const before = await query(key.auditDay('').pk, { KeyConditionExpression: 'pk = :pk AND sk < :day', ExpressionAttributeValues: { ':pk': key.auditDay('').pk, ':day': at.day }, ScanIndexForward: false, Limit: 1 });
        const day = before.Items?.[0]?.sk;
        at = typeof day === 'string' ? { day, below: DAY_END } : { legacy: undefined };
      } else {
        const r = await query(key.audit('').pk, { ScanIndexForward: false, Limit: limit - items.length, ...(at.legacy ? { ExclusiveStartKey: { ...key.audit(at.legacy) } } : {}) });
        items.push(...(r.Items ?? []).map(entryOf));
        const last = r.LastEvaluatedKey?.sk;
        at = typeof last === 'string' ? { legacy: last } : 'end';
      }
    }
    return { items, ...(at !== 'end' ? { cursor: encodeCursor(at) } : {}) };
  }

  return { readAuditHead, advanceAuditHead, putHeadSignature, readAuditChain, listAudit };
}

type Position = { day: string; below: number } | { legacy: string | undefined } | 'end';

function encodeCursor(at: Exclude<Position, 'end'>): string {
  return Buffer.from('day' in at ? `${at.day}.${at.below}` : `legacy.${at.legacy ?? ''}`).toString('base64url');
}

/** The cursor comes back from a client: only the two shapes this code makes, checked strictly. */
function decodeCursor(cursor: string): Exclude<Position, 'end'> {
  const text = /^[A-Za-z0-9_-]{1,300}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const day = /^(\d{4}-\d{2}-\d{2})\.(\d{1,13})$/.exec(text);
  if (day && !Number.isNaN(Date.parse(`${day[1]}T00:00:00Z`)) && new Date(`${day[1]}T00:00:00Z`).toISOString().startsWith(day[1]!)) return { day: day[1]!, below: Number(day[2]) };
  const legacy = /^legacy\.([A-Za-z0-9_#]{0,200})$/.exec(text);
  if (legacy) return { legacy: legacy[1] || undefined };
  throw new KeylaunchError('bad_request', 'Invalid cursor.');
}
