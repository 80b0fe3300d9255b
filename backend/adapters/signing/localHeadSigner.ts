import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HeadSigner } from '../../core/ports';

/** Local mode's audit signing key, in the data folder beside the database (mode 0600). */
export const LOCAL_AUDIT_KEY_FILE = 'audit-signing-key.pem';

/** The key id a verifier prints: the SHA-256 of the public key's SPKI DER, shortened. */
export const keyIdOf = (publicKey: KeyObject) => `local:${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16)}`;

/**
 * Local mode's head signer: an ECDSA P-256 key file, made on first use. Whoever can write the data
 * folder can also re-sign a rewritten chain with it; in local mode the folder's owner is the trust root
 * (docs/security.md). The file is written with `wx`, so two processes starting at once keep one key.
 */
export async function localHeadSigner(dataDir: string): Promise<HeadSigner> {
  const privateKey = await loadOrCreate(join(dataDir, LOCAL_AUDIT_KEY_FILE));
  const keyId = keyIdOf(createPublicKey(privateKey));
  return { keyId, sign: async (message) => sign('sha256', message, { key: privateKey, dsaEncoding: 'der' }) };
}

/** The public half of local mode's key, for `npm run verify -- audit`; undefined when there is no key yet. */
export async function localAuditPublicKey(dataDir: string): Promise<KeyObject | undefined> {
  try {
    return createPublicKey(createPrivateKey(await readFile(join(dataDir, LOCAL_AUDIT_KEY_FILE), 'utf8')));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function loadOrCreate(path: string): Promise<KeyObject> {
  try {
    return createPrivateKey(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  try {
    await writeFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    return privateKey;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return createPrivateKey(await readFile(path, 'utf8')); // another process made it first
  }
}
