import * as z from 'zod';
import type { Credential, User } from '../core/model';
import type { Store } from '../core/ports';
import type { TrustedKey, TrustedRecords } from './verifyReceipt';
import { exportLines } from './exportLines';

/**
 * Where a receipt's key is trusted from: the verifier's own store (local data folder or its table), or an
 * export of it (`npm run verify -- export`). Never the file being checked.
 */

export interface VerifierIdentity {
  rpId: string;
  origins: string[];
}

export const trustedKey = (user: Pick<User, 'name'>, c: Credential): TrustedKey => ({
  credentialId: c.id,
  userId: c.userId,
  userName: user.name,
  publicKey: c.publicKey,
  label: c.label,
  createdAt: c.createdAt,
  ...(c.revokedAt !== undefined ? { revokedAt: c.revokedAt } : {}),
  ...(c.suspendedAt !== undefined ? { suspendedAt: c.suspendedAt } : {}),
});

/** Credentials are never deleted (revoking sets `revokedAt`), so every key that ever approved a run is here. */
export function recordsFromStore(store: Pick<Store, 'getUserWithCredentials'>, verifier: VerifierIdentity): TrustedRecords {
  return {
    ...verifier,
    async key(userId, credentialId) {
      const found = await store.getUserWithCredentials(userId);
      const credential = found?.credentials.find((c) => c.id === credentialId);
      return found && credential ? trustedKey(found.user, credential) : undefined;
    },
  };
}

/** One line of an export (JSON Lines): the verifier's identity, a key, a run or an audit entry. */
export const keyLineSchema = z.strictObject({
  kind: z.literal('key'),
  credentialId: z.string().min(1),
  userId: z.string().min(1),
  userName: z.string().min(1),
  publicKey: z.string().min(1).regex(/^[A-Za-z0-9_-]+$/),
  label: z.string(),
  createdAt: z.number(),
  revokedAt: z.number().optional(),
  suspendedAt: z.number().optional(),
});
export const verifierLineSchema = z.strictObject({ kind: z.literal('verifier'), rpId: z.string().min(1), origins: z.array(z.string().min(1)).min(1) });

export class ExportProblem extends Error {}

/**
 * Reads an export's `key` lines (and its `verifier` line, if any); other kinds are skipped. A line that
 * is not JSON, or a key or verifier line that does not parse, is refused with its line number.
 */
export function readKeysExport(text: string): { keys: TrustedKey[]; verifier?: VerifierIdentity } {
  const keys: TrustedKey[] = [];
  let verifier: VerifierIdentity | undefined;
  for (const { json, kind, line } of exportLines(text, (m) => new ExportProblem(m))) {
    if (kind === 'key') {
      const parsed = keyLineSchema.safeParse(json);
      if (!parsed.success) throw new ExportProblem(`line ${line} is not a key: ${parsed.error.issues[0]!.path.join('.') || 'line'}: ${parsed.error.issues[0]!.message}`);
      const { kind: _kind, ...key } = parsed.data;
      keys.push(key);
    } else if (kind === 'verifier') {
      const parsed = verifierLineSchema.safeParse(json);
      if (!parsed.success) throw new ExportProblem(`line ${line} is not a verifier line: ${parsed.error.issues[0]!.path.join('.') || 'line'}: ${parsed.error.issues[0]!.message}`);
      verifier = { rpId: parsed.data.rpId, origins: parsed.data.origins };
    }
  }
  return { keys, ...(verifier ? { verifier } : {}) };
}

export function recordsFromKeys(keys: TrustedKey[], verifier: VerifierIdentity): TrustedRecords {
  return { ...verifier, key: async (userId, credentialId) => keys.find((k) => k.userId === userId && k.credentialId === credentialId) };
}
