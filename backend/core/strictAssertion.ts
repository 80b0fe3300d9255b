import { fromBER, Integer, Sequence } from 'asn1js';
import { decodePartialCBOR } from '@levischuck/tiny-cbor';
import { KeylaunchError } from './errors';
import { fromBase64Url } from './encoding';

/**
 * What @simplewebauthn/server lets through and we do not (issue 11 §3). It runs before the library's
 * own verification, which still does everything else; this only narrows what is accepted.
 */

/**
 * COSE key parameters (RFC 9052/9053, IANA): alg 3; ES256 is alg -7. Read with the CBOR
 * decoder @simplewebauthn/server itself uses: its `helpers` entry would bring the library's X.509
 * attestation stack onto the Lambda start path (build/lambdaColdStart.ts refuses that).
 */
const COSE = { alg: 3, ES256: -7 } as const;

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
 * receipt then failed strict re-verification. The check is structural (the library still verifies the
 * signature itself): asn1js parses the signature, and it must be exactly the one DER encoding of its two
 * positive integers, re-encoded by asn1js — so no trailing bytes, no long-form lengths, no padded
 * integers. (A second ECDSA verification by OpenSSL did the same at ten times the cost.) Other
 * algorithms have fixed-size signatures that WebCrypto already checks exactly.
 */
export function checkSignatureEncoding(o: { publicKey: string; signature: string }): void {
  let key: Map<number, unknown>;
  try {
    key = decodePartialCBOR(new Uint8Array(fromBase64Url(o.publicKey)), 0)[0] as unknown as Map<number, unknown>;
    if (!(key instanceof Map)) throw new Error('not a COSE key');
  } catch {
    throw refuse('The stored public key cannot be read.');
  }
  if (key.get(COSE.alg) !== COSE.ES256) return;
  if (!isCanonicalEcdsaDer(fromBase64Url(o.signature))) throw refuse('The key’s signature is not a canonical (DER) signature.');
}

/** True when `der` is the one canonical DER encoding of an ECDSA signature: SEQUENCE { INTEGER r, INTEGER s }, r, s > 0. */
export function isCanonicalEcdsaDer(der: Uint8Array): boolean {
  const parsed = fromBER(der);
  if (parsed.offset !== der.byteLength || !(parsed.result instanceof Sequence)) return false;
  const parts = parsed.result.valueBlock.value;
  if (parts.length !== 2 || !parts.every((p) => p instanceof Integer)) return false;
  const [r, s] = parts.map((p) => (p as Integer).toBigInt()) as [bigint, bigint];
  if (r <= 0n || s <= 0n) return false;
  const canonical = new Sequence({ value: [Integer.fromBigInt(r), Integer.fromBigInt(s)] }).toBER();
  return Buffer.from(canonical).equals(Buffer.from(der));
}
