import { createHash } from 'node:crypto';
import { canonicalJson } from './canonicalJson';
import type { AuditEntry } from './model';
import type { AuditHead, HeadSignature } from './ports';

/**
 * The audit log's hash chain (issue 15 §2), pure: how an entry is linked to the head, what a head
 * signature signs, and how a chain is checked. Storage and signing keys are the adapters'.
 */

export const GENESIS_HASH = '0'.repeat(64);
/** A head signature is due every SEAL_EVERY entries, or at the first entry SEAL_AFTER_MS after the last one. */
export const SEAL_EVERY = 64;
export const SEAL_AFTER_MS = 15 * 60_000;

export type ChainedEntry = AuditEntry & { seq: number; prevHash: string; hash: string; day: string };

/** SHA-256 (hex) over the canonical JSON of the entry without its own `hash` (its prevHash included). */
export function entryHash(entry: AuditEntry): string {
  const { hash: _hash, ...rest } = entry;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The entry as the next link after `head` (none: the first entry). Its day never goes back (a writer
 * whose clock is behind still files after the head), so day partitions read in order are chain order.
 * `canSeal`: only a writer holding the signing key marks an entry as due for a signature.
 */
export function linkEntry(entry: AuditEntry, head: AuditHead | undefined, canSeal: boolean): { entry: ChainedEntry; head: AuditHead } {
  const { seq: _s, prevHash: _p, hash: _h, day: _d, sealed: _sealed, ...plain } = entry;
  const seq = (head?.seq ?? 0) + 1;
  const today = utcDay(entry.at);
  const day = head && head.day > today ? head.day : today;
  const sealed = canSeal && (seq === 1 || seq % SEAL_EVERY === 0 || entry.at - (head?.sealedAt ?? 0) >= SEAL_AFTER_MS);
  const unhashed = { ...plain, seq, prevHash: head?.hash ?? GENESIS_HASH, day, ...(sealed ? { sealed: true } : {}) };
  const linked = { ...unhashed, hash: entryHash(unhashed) } as ChainedEntry;
  return { entry: linked, head: { seq, hash: linked.hash, day, entry: linked, sealedAt: sealed ? entry.at : (head?.sealedAt ?? 0) } };
}

/** The bytes a head signature signs: which chain position, which hash, when. */
export function headMessage(s: Pick<HeadSignature, 'seq' | 'hash' | 'at'>): Buffer {
  return Buffer.from(canonicalJson({ kind: 'keylaunch-audit-head', v: 1, seq: s.seq, hash: s.hash, at: s.at }), 'utf8');
}

export type ChainBreak =
  | { problem: 'edited'; seq: number; message: string }
  | { problem: 'removed'; seq: number; message: string }
  | { problem: 'inserted'; seq: number; message: string }
  | { problem: 'reordered'; seq: number; message: string }
  | { problem: 'forged_signature'; seq: number; message: string }
  | { problem: 'missing_signature'; seq: number; message: string };

export interface ChainReport {
  ok: boolean;
  /** The first break, by chain position. */
  firstBreak?: ChainBreak;
  entries: number;
  /** Entries recorded before the chain existed (no seq): listed, not checked. */
  unchained: number;
  lastSignedSeq: number;
  /** Entries after the last valid signature: linked, not signed yet. */
  unsignedYet: number;
  signatures: number;
}

/**
 * Walks the chain from seq 1 and every signature; reports the first break. `checkSignature` says whether
 * a signature is genuine under the trusted public key. `head`, when given (read from the table), is the
 * chain's end as the writer last left it: entries missing before it count as removed.
 */
export function verifyChain(input: {
  entries: AuditEntry[];
  signatures: HeadSignature[];
  checkSignature: (s: HeadSignature) => boolean;
  head?: { seq: number; hash: string };
}): ChainReport {
  const chained = input.entries.filter((e) => typeof e.seq === 'number').sort((a, b) => a.seq! - b.seq!);
  const unchained = input.entries.length - chained.length;
  const breaks: ChainBreak[] = [];
  const bySeq = new Map<number, AuditEntry>();
  let previous: AuditEntry | undefined;
  for (const e of chained) {
    const seq = e.seq!;
    if (!Number.isSafeInteger(seq) || seq < 1) {
      breaks.push({ problem: 'inserted', seq: 0, message: `an entry claims position ${String(seq)}, which no chain has` });
      continue;
    }
    if (bySeq.has(seq)) {
      breaks.push({ problem: 'inserted', seq, message: `two entries claim position ${seq}` });
      continue;
    }
    bySeq.set(seq, e);
    const expectedSeq = (previous?.seq ?? 0) + 1;
    if (e.hash !== entryHash(e)) breaks.push({ problem: 'edited', seq, message: `entry ${seq} (${e.id}) was changed after it was written: its hash does not match its content` });
    if (seq > expectedSeq) {
      breaks.push({ problem: 'removed', seq: expectedSeq, message: `entr${seq - expectedSeq > 1 ? `ies ${expectedSeq}–${seq - 1} are` : `y ${expectedSeq} is`} missing (the chain goes from ${expectedSeq - 1} to ${seq})` });
    } else if (e.prevHash !== (previous?.hash ?? GENESIS_HASH)) {
      // Contiguous positions that do not link: entries renumbered (moved) or one put in their place.
      breaks.push({ problem: previous && e.at < previous.at ? 'reordered' : 'inserted', seq, message: `entry ${seq} (${e.id}) does not follow entry ${seq - 1}: its prevHash is not that entry's hash` });
    }
    previous = e;
  }
  // Entries without a place in the chain are the log from before it: all older than its first entry.
  // One written later was put beside the chain, not in it.
  const start = chained[0]?.at;
  for (const e of input.entries) {
    if (typeof e.seq === 'number' || start === undefined || !(e.at > start)) continue;
    const seq = (chained.filter((c) => c.at <= e.at).at(-1)?.seq ?? 0) + 1;
    breaks.push({ problem: 'inserted', seq, message: `entry ${e.id} has no place in the chain but was written after the chain began` });
  }
  const lastSeq = previous?.seq ?? 0;
  if (input.head && input.head.seq > lastSeq) {
    breaks.push({ problem: 'removed', seq: lastSeq + 1, message: `the chain's head is at ${input.head.seq} but entries end at ${lastSeq}: the newest entries are missing` });
  }

  let lastSignedSeq = 0;
  const signed = new Set<number>();
  for (const s of input.signatures) {
    const entry = bySeq.get(s.seq);
    if (!input.checkSignature(s)) {
      breaks.push({ problem: 'forged_signature', seq: s.seq, message: `the head signature at ${s.seq} does not verify under the trusted audit key` });
    } else if (!entry) {
      breaks.push({ problem: 'removed', seq: s.seq, message: `a genuine head signature covers entry ${s.seq}, which is missing` });
    } else if (entry.hash !== s.hash) {
      breaks.push({ problem: 'edited', seq: s.seq, message: `entry ${s.seq} is not the entry that was signed (the signed hash differs): the chain up to it was rewritten` });
    } else {
      signed.add(s.seq);
      lastSignedSeq = Math.max(lastSignedSeq, s.seq);
    }
  }
  // A sealed entry promised a signature; only the newest sealed one may still be being signed.
  const newestSealed = chained.filter((e) => e.sealed === true).at(-1)?.seq;
  for (const e of chained) if (e.sealed === true && !signed.has(e.seq!) && e.seq !== newestSealed) breaks.push({ problem: 'missing_signature', seq: e.seq!, message: `entry ${e.seq} was due a head signature and has none` });

  const firstBreak = breaks.sort((a, b) => a.seq - b.seq)[0];
  return {
    ok: firstBreak === undefined,
    ...(firstBreak ? { firstBreak } : {}),
    entries: chained.length,
    unchained,
    lastSignedSeq,
    unsignedYet: Math.max(0, lastSeq - lastSignedSeq),
    signatures: input.signatures.length,
  };
}
