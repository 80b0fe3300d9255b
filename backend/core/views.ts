import type { Credential } from './model';

/** What of a record leaves the verifier. Public keys and counters stay inside. */
export interface PublicKey {
  id: string;
  label: string;
  aaguid: string;
  transports: string[];
  createdAt: number;
  lastUsedAt?: number;
  revokedAt?: number;
  suspendedAt?: number;
}

export function publicKey(c: Credential): PublicKey {
  const { id, label, aaguid, transports, createdAt, lastUsedAt, revokedAt, suspendedAt } = c;
  return { id, label, aaguid, transports, createdAt, lastUsedAt, revokedAt, suspendedAt };
}
