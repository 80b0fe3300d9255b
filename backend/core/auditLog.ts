import { headMessage, linkEntry } from './auditChain';
import type { AuditEntry } from './model';
import type { AuditChainStore, AuditHead, HeadSigner } from './ports';

/** Lost races before giving up: each round one writer wins, so 20 writers at once settle well within it. */
const MAX_ATTEMPTS = 40;
const SIGN_ATTEMPTS = 3;

/**
 * Appends to the hash chain. One conditional write per append while this process's view of the head is
 * current (the common case: one writer at a time), so the chain costs the confirm path no round trip;
 * a lost race re-reads the head and retries. Appends from one process are queued, so they never race
 * each other. A failure after the retries throws: the caller logs the whole entry (AUDIT WRITE FAILED).
 */
export function createAuditAppender(o: { chain: AuditChainStore; signer?: HeadSigner; log?: (message: string, error?: unknown) => void }) {
  let known: AuditHead | undefined;
  let fresh = false; // `known` was read or written by us and may still be the head
  let queue: Promise<unknown> = Promise.resolve();

  async function appendNow(entry: AuditEntry): Promise<void> {
    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      let moved: boolean;
      let next: ReturnType<typeof linkEntry>;
      try {
        if (!fresh) {
          known = await o.chain.readAuditHead();
          fresh = true;
          // Our own write, whose answer was lost: it is in the chain already.
          if (known?.entry.id === entry.id) return;
        }
        next = linkEntry(entry, known, o.signer !== undefined);
        moved = await o.chain.advanceAuditHead(known, next.head);
      } catch (error) {
        fresh = false; // the write may or may not have landed: read what is there before trying again
        if (++failures >= 3) throw error;
        continue;
      }
      const { entry: linked, head } = next;
      if (moved) {
        known = head;
        if (linked.sealed) await sign(head);
        return;
      }
      fresh = false;
      if (attempt >= MAX_ATTEMPTS) throw new Error(`audit chain: lost the race for the head ${MAX_ATTEMPTS} times`);
      // Jitter, so writers that lost together do not collide again.
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 4 * Math.min(attempt, 8))));
    }
  }

  async function sign(head: AuditHead): Promise<void> {
    const signer = o.signer!;
    const at = head.entry.at;
    for (let attempt = 1; attempt <= SIGN_ATTEMPTS; attempt++) {
      try {
        const signature = await signer.sign(headMessage({ seq: head.seq, hash: head.hash, at }));
        await o.chain.putHeadSignature({ seq: head.seq, hash: head.hash, at, keyId: signer.keyId, algorithm: 'ECDSA_SHA_256', signature: signature.toString('base64') });
        return;
      } catch (error) {
        // The entry is in the chain; only its signature is missing, which `verify -- audit` reports.
        if (attempt === SIGN_ATTEMPTS) o.log?.(`AUDIT HEAD SIGNATURE FAILED at ${head.seq}`, error);
      }
    }
  }

  return {
    append(entry: AuditEntry): Promise<void> {
      const done = queue.then(() => appendNow(entry));
      queue = done.catch(() => undefined);
      return done;
    },
  };
}
