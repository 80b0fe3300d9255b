import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isCanonicalEcdsaDer } from '../../../backend/core/strictAssertion';

/** The strict DER rule on real P-256 signatures (OpenSSL's, always canonical) and on every way to bend one. */
describe('canonical ECDSA DER', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signatures = Array.from({ length: 200 }, (_, i) => sign('sha256', Buffer.from(`message ${i}`), { key: privateKey, dsaEncoding: 'der' }));

  it('accepts what a signer produces, whatever the integers’ lengths (high bit set or not)', () => {
    expect(signatures.every((sig) => isCanonicalEcdsaDer(sig))).toBe(true);
  });

  it('refuses trailing bytes, a repeated structure, a long-form length, a padded or negative integer, and garbage', () => {
    for (const sig of signatures.slice(0, 50)) {
      const rLength = sig[3]!;
      const r = sig.subarray(4, 4 + rLength);
      const rest = sig.subarray(4 + rLength);
      const bent = [
        Buffer.concat([sig, Buffer.from([0])]),
        Buffer.concat([sig, sig]),
        Buffer.concat([Buffer.from([0x30, 0x81, sig[1]!]), sig.subarray(2)]),
        Buffer.concat([Buffer.from([0x30, sig[1]! + 1, 0x02, rLength + 1, 0x00]), r, rest]),
        Buffer.concat([Buffer.from([0x30, sig[1]!, 0x02, rLength]), Buffer.from([r[0]! | 0x80]), r.subarray(1), rest]).subarray(0, sig.length),
        sig.subarray(0, sig.length - 1),
      ];
      for (const b of bent) expect(isCanonicalEcdsaDer(b), b.toString('hex')).toBe(false);
    }
    expect(isCanonicalEcdsaDer(Buffer.alloc(0))).toBe(false);
    expect(isCanonicalEcdsaDer(Buffer.from('3006020101020101ff', 'hex'))).toBe(false);
  });
});
