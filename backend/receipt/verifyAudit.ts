import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { headMessage, verifyChain, type ChainReport } from '../core/auditChain';
import type { AuditEntry } from '../core/model';
import type { AuditHead, HeadSignature } from '../core/ports';
import { exportLines } from './exportLines';

/**
 * `npm run verify -- audit`: the chain and its head signatures, checked with a public key trusted from
 * outside the table (local mode's key file, KMS, or a file the operator kept), never from the records.
 */
export function verifyAudit(chain: { entries: AuditEntry[]; signatures: HeadSignature[]; head?: Pick<AuditHead, 'seq' | 'hash'> }, publicKey: KeyObject): ChainReport {
  return verifyChain({
    entries: chain.entries,
    signatures: chain.signatures,
    ...(chain.head ? { head: { seq: chain.head.seq, hash: chain.head.hash } } : {}),
    checkSignature: (s) => {
      try {
        return s.algorithm === 'ECDSA_SHA_256' && verify('sha256', headMessage(s), { key: publicKey, dsaEncoding: 'der' }, Buffer.from(s.signature, 'base64'));
      } catch {
        return false; // a malformed signature is a forged one
      }
    },
  });
}

/** A public key file: PEM (SPKI), or the DER that `aws kms get-public-key` returns (base64 or raw). */
export function readPublicKey(bytes: Buffer): KeyObject {
  const text = bytes.toString('utf8').trim();
  if (text.startsWith('-----BEGIN')) return createPublicKey(text);
  const der = /^[A-Za-z0-9+/=\s]+$/.test(text) ? Buffer.from(text, 'base64') : bytes;
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

const signatureLine = z.strictObject({
  kind: z.literal('audit-signature'),
  signature: z.strictObject({ seq: z.number().int().min(1), hash: z.string(), at: z.number(), keyId: z.string(), algorithm: z.literal('ECDSA_SHA_256'), signature: z.string() }),
});
const headLine = z.strictObject({ kind: z.literal('audit-head'), seq: z.number().int().min(0), hash: z.string() });
const auditLine = z.object({ kind: z.literal('audit'), entry: z.looseObject({ id: z.string(), at: z.number(), seq: z.number().optional(), hash: z.string().optional() }) });

export class AuditExportProblem extends Error {}

/** The audit part of an export (JSON Lines): entries, head signatures and the head; other kinds skipped. */
export function readAuditExport(text: string): { entries: AuditEntry[]; signatures: HeadSignature[]; head?: { seq: number; hash: string } } {
  const entries: AuditEntry[] = [];
  const signatures: HeadSignature[] = [];
  let head: { seq: number; hash: string } | undefined;
  for (const { json, kind, line } of exportLines(text, (m) => new AuditExportProblem(m))) {
    const schema = kind === 'audit' ? auditLine : kind === 'audit-signature' ? signatureLine : kind === 'audit-head' ? headLine : undefined;
    if (!schema) continue;
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new AuditExportProblem(`line ${line} is not a valid ${String(kind)} line`);
    const data = parsed.data as Record<string, unknown>;
    if (kind === 'audit') entries.push(data.entry as AuditEntry);
    else if (kind === 'audit-signature') signatures.push(data.signature as HeadSignature);
    else head = { seq: data.seq as number, hash: data.hash as string };
  }
  return { entries, signatures, ...(head ? { head } : {}) };
}

/** What `verify -- audit` prints. */
export function describeReport(r: ChainReport): string {
  const lines = [
    r.ok ? `Audit chain verified: ${r.entries} entr${r.entries === 1 ? 'y' : 'ies'}, ${r.signatures} head signature${r.signatures === 1 ? '' : 's'}.` : `Audit chain BROKEN at entry ${r.firstBreak!.seq} (${r.firstBreak!.problem}): ${r.firstBreak!.message}.`,
    `  signed up to:   entry ${r.lastSignedSeq}`,
    `  unsigned yet:   ${r.unsignedYet} entr${r.unsignedYet === 1 ? 'y' : 'ies'} after the last signed head (signed at the next due signature)`,
  ];
  if (r.unchained) lines.push(`  before the chain: ${r.unchained} entr${r.unchained === 1 ? 'y' : 'ies'} recorded before hash chaining (listed, not checked)`);
  return lines.join('\n');
}
