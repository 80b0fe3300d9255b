import { createHash } from 'node:crypto';

export const sha256 = (...parts: (Buffer | string)[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

export const toBase64Url = (b: Buffer | Uint8Array): string => Buffer.from(b).toString('base64url');
export const fromBase64Url = (s: string): Buffer => Buffer.from(s, 'base64url');

/** Crockford base32 (no I, L, O, U): easy to read aloud and compare by eye. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function base32Crockford(bytes: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += CROCKFORD[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
    if (out.length >= chars) break;
  }
  return out;
}
