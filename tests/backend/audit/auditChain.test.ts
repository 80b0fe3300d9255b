import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync, sign } from 'node:crypto';
import { entryHash, GENESIS_HASH, headMessage, SEAL_EVERY } from '../../../backend/core/auditChain';
import { createDynamoStore } from '../../../backend/adapters/dynamo/dynamoStore';
import { DeleteCommand, PutCommand, type DocumentCommand } from '../../../backend/adapters/dynamo/documentCommands';
import { key } from '../../../backend/adapters/dynamo/keys';
import { ensureTable } from '../../../backend/adapters/dynamo/table';
import { startLocalDynamo } from '../../../backend/local/localDynamo';
import { verifyAudit } from '../../../backend/receipt/verifyAudit';
import { createAuditAppender } from '../../../backend/core/auditLog';
import type { AuditEntry } from '../../../backend/core/model';
import type { AuditChainStore, HeadSignature, HeadSigner, Store } from '../../../backend/core/ports';
import { MemoryAuditChain, MemoryStore } from '../../support/memoryStore';

/**
 * The hash-chained, signed audit log (issue 15 §2) over both stores: DynamoDB's protocol (dynalite) and
 * the in-memory store. Each kind of tampering is done to what is stored, then the chain is read back
 * and checked as `npm run verify -- audit` checks it; each must be reported at the entry it touched.
 */
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer: HeadSigner = { keyId: 'test-key', sign: async (m) => sign('sha256', m, { key: privateKey, dsaEncoding: 'der' }) };
const T0 = Date.parse('2026-11-21T23:59:00Z'); // the chain crosses midnight: two day partitions

/** What a test may do to the stored records, as someone with write access to the table would. */
interface Backend {
  /** A store as one verifier process sees the table (its own view of the head). */
  store(withSigner?: boolean): Store;
  chain(): AuditChainStore;
  replaceEntry(entry: AuditEntry): Promise<void>;
  removeEntry(entry: AuditEntry): Promise<void>;
  replaceSignature(s: HeadSignature): Promise<void>;
  removeSignature(seq: number): Promise<void>;
}

let dynamo: Awaited<ReturnType<typeof startLocalDynamo>>;
beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'kl-audit-0' });
});
afterAll(() => dynamo?.close());

let tables = 0;
const backends: Record<string, () => Promise<Backend>> = {
  dynalite: async () => {
    const tableName = `kl-audit-${++tables}`;
    await ensureTable(dynamo.client, tableName);
    const send = <I, O>(c: DocumentCommand<I, O>) => dynamo.documents.send(c);
    return {
      store: (withSigner = true) => {
        return createDynamoStore({ client: dynamo.documents, tableName, ...(withSigner ? { signer } : {}) });
      },
      chain: () => createDynamoStore({ client: dynamo.documents, tableName }).auditChain,
      replaceEntry: async (e) => void (await send(new PutCommand({ TableName: tableName, Item: { ...key.auditEntry(e.day!, e.seq!), ...e } }))),
      removeEntry: async (e) => void (await send(new DeleteCommand({ TableName: tableName, Key: key.auditEntry(e.day!, e.seq!) }))),
      replaceSignature: async (s) => void (await send(new PutCommand({ TableName: tableName, Item: { ...key.auditSignature(s.seq), ...s } }))),
      removeSignature: async (seq) => void (await send(new DeleteCommand({ TableName: tableName, Key: key.auditSignature(seq) }))),
    };
  },
  memory: async () => {
    const chain = new MemoryAuditChain();
    return {
      store: (withSigner = true) => new MemoryStore({ auditChain: chain, ...(withSigner ? { signer } : {}) }),
      chain: () => chain,
      replaceEntry: async (e) => void chain.entries.set(e.seq!, structuredClone(e)),
      removeEntry: async (e) => void chain.entries.delete(e.seq!),
      replaceSignature: async (s) => void chain.signatures.set(s.seq, structuredClone(s)),
      removeSignature: async (seq) => void chain.signatures.delete(seq),
    };
  },
};

const entry = (i: number): AuditEntry => ({ id: `aud_${String(i).padStart(4, '0')}`, at: T0 + i * 1000, action: i % 3 ? 'runs.confirm' : 'unlock.verify', outcome: i % 5 ? 'accepted' : 'refused', sourceIp: '203.0.113.7', userId: 'u_ada', userName: 'ada' });
/** Rewrites an entry as a forger with table access would: content changed and its own hash made to match. */
const rehashed = (e: AuditEntry, patch: Partial<AuditEntry>) => {
  const changed = { ...e, ...patch, hash: undefined };
  return { ...changed, hash: entryHash(changed) } as AuditEntry;
};

describe.each(Object.keys(backends))('the audit chain over %s', (name) => {
  let b: Backend;
  let stored: Awaited<ReturnType<AuditChainStore['readAuditChain']>>;
  const check = async () => verifyAudit(await b.chain().readAuditChain(), publicKey);
  const at = (seq: number) => stored.entries.find((e) => e.seq === seq)!;
  const N = SEAL_EVERY + 6; // signed at 1 and at SEAL_EVERY; six entries after that are unsigned yet

  beforeEach(async () => {
    b = await backends[name]!();
    const store = b.store();
    for (let i = 1; i <= N; i++) await store.appendAudit(entry(i));
    stored = await b.chain().readAuditChain();
  });

  it('links every entry to the one before, across day partitions, and verifies with its signed heads', async () => {
    expect(stored.entries.map((e) => e.seq).sort((x, y) => x! - y!)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(at(1).prevHash).toBe(GENESIS_HASH);
    expect(at(2).prevHash).toBe(at(1).hash);
    expect(new Set(stored.entries.map((e) => e.day))).toEqual(new Set(['2026-11-21', '2026-11-22']));
    expect(stored.signatures.map((s) => s.seq).sort((x, y) => x - y)).toEqual([1, SEAL_EVERY]);
    const report = await check();
    expect(report).toMatchObject({ ok: true, entries: N, lastSignedSeq: SEAL_EVERY, unsignedYet: 6 });
  });

  it('lists newest first across the day partitions, page by page, with an opaque cursor', async () => {
    const store = b.store();
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await store.listAudit({ limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((e) => e.seq!));
      cursor = page.cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => N - i));
  });

  it('reports an edited entry at that entry', async () => {
    await b.replaceEntry({ ...at(12), userName: 'mallory' });
    expect((await check()).firstBreak).toMatchObject({ problem: 'edited', seq: 12 });
  });

  it('reports an edited entry whose hash was recomputed where the next entry no longer links to it', async () => {
    await b.replaceEntry(rehashed(at(20), { userName: 'mallory' }));
    expect((await check()).firstBreak).toMatchObject({ problem: 'inserted', seq: 21 });
  });

  it('reports a removed entry at its position', async () => {
    await b.removeEntry(at(30));
    expect((await check()).firstBreak).toMatchObject({ problem: 'removed', seq: 30 });
  });

  it('reports two entries swapped (renumbered, hashes recomputed) where the order breaks', async () => {
    const [e40, e41] = [at(40), at(41)];
    const moved41 = rehashed(e41, { seq: 40, prevHash: at(39).hash });
    await b.replaceEntry(moved41);
    await b.replaceEntry(rehashed(e40, { seq: 41, prevHash: moved41.hash }));
    expect((await check()).firstBreak).toMatchObject({ problem: 'inserted', seq: 42 });
  });

  it('reports an entry whose time goes back as reordered', async () => {
    await b.replaceEntry(rehashed(at(50), { at: at(49).at - 5000, prevHash: at(49).hash }));
    await b.replaceEntry({ ...at(51), prevHash: 'f'.repeat(64), hash: entryHash({ ...at(51), prevHash: 'f'.repeat(64) }) });
    const report = await check();
    expect(report.ok).toBe(false);
    expect(report.firstBreak!.seq).toBe(51);
  });

  it('reports an inserted entry claiming a taken position, at that position', async () => {
    const forged = rehashed(at(15), { id: 'aud_forged', userName: 'mallory', day: at(15).day });
    if (name === 'memory') (b.chain() as MemoryAuditChain).entries.set(15.5 as never, forged); // a second item claiming 15
    else await b.replaceEntry({ ...forged, day: at(15).day === '2026-11-21' ? '2026-11-22' : '2026-11-21' }); // the same seq in the other day's partition
    expect((await check()).firstBreak).toMatchObject({ problem: 'inserted', seq: 15 });
  });

  it('reports an entry put beside the chain (no place in it) after the chain began, where it would have gone', async () => {
    const { seq: _s, prevHash: _p, hash: _h, day: _d, sealed: _x, ...plain } = at(25);
    const chain = await b.chain().readAuditChain();
    const report = verifyAudit({ ...chain, entries: [...chain.entries, { ...plain, id: 'aud_beside', userName: 'mallory' }] }, publicKey);
    expect(report.firstBreak).toMatchObject({ problem: 'inserted', seq: 26 });
    // Entries from before the chain (all older than its first entry) are listed, not checked.
    const before = verifyAudit({ ...chain, entries: [...chain.entries, { ...plain, id: 'aud_old', at: at(1).at - 1 }] }, publicKey);
    expect(before).toMatchObject({ ok: true, unchained: 1 });
  });

  it('reports an insertion that renumbers and rehashes everything after it at the first signed head it passes', async () => {
    // The forger rebuilds the whole chain from entry 5 on: every link checks, but the signed head at
    // SEAL_EVERY no longer matches, and without the signing key it cannot be re-signed.
    let prev = at(4);
    const rebuilt: AuditEntry[] = [rehashed(entry(999), { seq: 5, prevHash: prev.hash, day: at(5).day })];
    prev = rebuilt[0]!;
    for (let seq = 5; seq < N; seq++) {
      const next = rehashed(at(seq), { seq: seq + 1, prevHash: prev.hash, day: at(seq + 1).day });
      rebuilt.push(next);
      prev = next;
    }
    for (const e of rebuilt) if (e.seq! < N) await b.replaceEntry(e);
    const report = await check();
    expect(report.firstBreak).toMatchObject({ problem: 'edited', seq: SEAL_EVERY });
  });

  it('reports a forged head signature at the head it claims to sign', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const real = stored.signatures.find((s) => s.seq === SEAL_EVERY)!;
    await b.replaceSignature({ ...real, signature: sign('sha256', headMessage(real), { key: other, dsaEncoding: 'der' }).toString('base64') });
    expect((await check()).firstBreak).toMatchObject({ problem: 'forged_signature', seq: SEAL_EVERY });
  });

  it('reports a genuine signature moved onto other content as forged', async () => {
    const real = stored.signatures.find((s) => s.seq === 1)!;
    await b.replaceSignature({ ...real, hash: at(1).hash!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) });
    expect((await check()).firstBreak).toMatchObject({ problem: 'forged_signature', seq: 1 });
  });

  it('reports a missing head signature where one was due', async () => {
    await b.removeSignature(1);
    expect((await check()).firstBreak).toMatchObject({ problem: 'missing_signature', seq: 1 });
  });

  it('reports the newest entries removed (the head says more) and a signed entry that is gone', async () => {
    await b.removeEntry(at(SEAL_EVERY));
    expect((await check()).firstBreak).toMatchObject({ problem: 'removed', seq: SEAL_EVERY });
  });

  it('keeps one unbroken chain when 20 appends race from four verifier processes', async () => {
    b = await backends[name]!();
    const processes = [b.store(), b.store(false), b.store(), b.store(false)];
    await Promise.all(Array.from({ length: 20 }, (_, i) => processes[i % 4]!.appendAudit(entry(i + 1))));
    const chain = await b.chain().readAuditChain();
    expect(chain.entries.map((e) => e.seq).sort((x, y) => x! - y!)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(chain.entries.map((e) => e.id)).size).toBe(20);
    const report = verifyAudit(chain, publicKey);
    expect(report.ok, JSON.stringify(report.firstBreak)).toBe(true);
    expect(report.entries).toBe(20);
  });
});

describe('the audit listing cursor over dynalite', () => {
  it.each([
    ['not base64url', '***'],
    ['another partition', Buffer.from('USER#u.5').toString('base64url')],
    ['an impossible day', Buffer.from('2026-02-30.5').toString('base64url')],
    ['a huge position', Buffer.from('2026-11-21.99999999999999999').toString('base64url')],
    ['a key expression in the old partition', Buffer.from("legacy.x' OR pk = 'USER").toString('base64url')],
  ])('refuses a bent cursor (%s) with bad_request', async (_, cursor) => {
    await ensureTable(dynamo.client, 'kl-audit-cursor');
    const store = createDynamoStore({ client: dynamo.documents, tableName: 'kl-audit-cursor' });
    const error = await store.listAudit({ limit: 2, cursor }).then(() => undefined, (e: unknown) => e);
    expect((error as { code?: string } | undefined)?.code).toBe('bad_request');
  });
});

describe('appending when storage or the signer fails', () => {
  it('a write whose answer was lost is found in the chain and never appended twice', async () => {
    const chain = new MemoryAuditChain();
    let lose = 2; // the second and third appends land, then their answers are lost
    const lossy: AuditChainStore = {
      readAuditHead: () => chain.readAuditHead(),
      advanceAuditHead: async (expected, next) => {
        const moved = await chain.advanceAuditHead(expected, next);
        if (moved && next.seq > 1 && lose-- > 0) throw Object.assign(new Error('socket hang up'), { $metadata: {} });
        return moved;
      },
      putHeadSignature: (s) => chain.putHeadSignature(s),
      readAuditChain: () => chain.readAuditChain(),
    };
    const append = createAuditAppender({ chain: lossy, signer });
    for (let i = 1; i <= 4; i++) await append.append(entry(i));
    const read = await chain.readAuditChain();
    expect(read.entries.map((e) => e.id).sort()).toEqual(['aud_0001', 'aud_0002', 'aud_0003', 'aud_0004']);
    expect(verifyAudit(read, publicKey).ok).toBe(true);
  });

  it('a signer that fails leaves the entry in the chain, logs it, and verify reports the missing signature once a later head is signed', async () => {
    const chain = new MemoryAuditChain();
    const logged: string[] = [];
    let fail = true;
    const flaky: HeadSigner = { keyId: 'k', sign: async (m) => (fail ? Promise.reject(new Error('KMS throttled')) : signer.sign(m)) };
    const append = createAuditAppender({ chain, signer: flaky, log: (m) => logged.push(m) });
    await append.append(entry(1)); // sealed (the first), its signature fails
    fail = false;
    for (let i = 2; i <= SEAL_EVERY; i++) await append.append(entry(i)); // SEAL_EVERY is sealed and signed
    expect(logged).toEqual(['AUDIT HEAD SIGNATURE FAILED at 1']);
    const report = verifyAudit(await chain.readAuditChain(), publicKey);
    expect(report.entries).toBe(SEAL_EVERY);
    expect(report.firstBreak).toMatchObject({ problem: 'missing_signature', seq: 1 });
  });
});
