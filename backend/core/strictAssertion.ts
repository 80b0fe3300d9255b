import { createHash, createPublicKey, verify } from 'node:crypto';
import { decodePartialCBOR } from '@levischuck/tiny-cbor';
import { KeylaunchError } from './errors';
import { fromBase64Url } from './encoding';

/**
 * What @simplewebauthn/server lets through and we do not (issue 11 §3). It runs before the library's
 * own verification, which still does everything else; this only narrows what is accepted.
 */

/**
 * COSE key parameters (RFC 9052/9053, IANA): alg 3, x -2, y -3; ES256 is alg -7. Read with the CBOR
 * decoder @simplewebauthn/server itself uses: its `helpers` entry would bring the library's X.509
 * attestation stack onto the Lambda start path (build/lambdaColdStart.ts refuses that).
 */
const COSE = { alg: 3, x: -2, y: -3, ES256: -7 } as const;

const refuse = (message: string) => new KeylaunchError('verification_failed', message);

/**
 * WebAuthn L3 §7.2 step 12/13: an assertion made in a cross-origin iframe (`crossOrigin: true`) or that
 * names a `topOrigin` was made for another site's page; the desktop never embeds us, so refuse both.
 */
export function checkClientData(clientDataJSON: string): void {
  let data: unknown;
  try {
    data = JSON.parse(fromBase64Url(clientDataJSON).toString('utf8'));
  } catch {
    throw refuse('The key response is malformed.');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw refuse('The key response is malformed.');
  const { crossOrigin, topOrigin } = data as Record<string, unknown>;
  if (crossOrigin !== undefined && crossOrigin !== false) throw refuse('The key response was made in a cross-origin frame.');
  if (topOrigin !== undefined) throw refuse('The key response was made in a cross-origin frame.');
}

/**
 * ES256 signatures must be canonical DER, byte for byte: the library converts DER to raw (r, s) and
 * ignores anything after the structure, so a signature with trailing or repeated bytes verified and its
 * receipt then failed strict re-verification. OpenSSL (node:crypto, `dsaEncoding: 'der'`) decodes,
 * re-encodes and compares the whole signature, so it is the strict check here — no DER parser of ours.
 * Other algorithms have fixed-size signatures that WebCrypto already checks exactly.
 */
export function checkSignatureEncoding(o: { publicKey: string; authenticatorData: string; clientDataJSON: string; signature: string }): void {
  let key: Map<number, unknown>;
  try {
    key = decodePartialCBOR(new Uint8Array(fromBase64Url(o.publicKey)), 0)[0] as unknown as Map<number, unknown>;
    if (!(key instanceof Map)) throw new Error('not a COSE key');
  } catch {
    throw refuse('The stored public key cannot be read.');
  }
  if (key.get(COSE.alg) !== COSE.ES256) return;
  const x = key.get(COSE.x);
  const y = key.get(COSE.y);
  if (!(x instanceof Uint8Array) || !(y instanceof Uint8Array)) throw refuse('The stored public key cannot be read.');
  const publicKey = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(x).toString('base64url'), y: Buffer.from(y).toString('base64url') }, format: 'jwk' });
  const signed = Buffer.concat([fromBase64Url(o.authenticatorData), createHash('sha256').update(fromBase64Url(o.clientDataJSON)).digest()]);
  if (!verify('sha256', signed, { key: publicKey, dsaEncoding: 'der' }, fromBase64Url(o.signature))) {
    throw refuse('The key’s signature is not a valid canonical (DER) signature for this request.');
  }
}
