import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../backend/core/canonicalJson';
import { challengeMatches, deriveChallenge, fingerprint } from '../../../backend/core/intent';
import type { RunIntent } from '../../../backend/core/model';

const intent: RunIntent = {
  v: 1, purpose: 'run', job: 'deploy', params: { b: 2, a: 'x' }, secretParams: [], configVersions: { invoke: '1' },
  userId: 'u', allowCredentials: ['k'], userVerification: 'discouraged', origin: ['https://a.test'], rpId: 'a.test', expiresAt: 1,
};

describe('intents and bound challenges', () => {
  it('canonical JSON sorts keys, drops undefined, and rejects non-finite numbers', () => {
    expect(canonicalJson({ b: 1, a: [3, { d: undefined, c: 'x' }] })).toBe('{"a":[3,{"c":"x"}],"b":1}');
    expect(() => canonicalJson({ a: NaN })).toThrow();
  });

  it('the same intent in any key order gives the same challenge for the same nonce', () => {
    const nonce = Buffer.alloc(32, 7);
    const reordered = JSON.parse(JSON.stringify({ ...intent, params: { a: 'x', b: 2 } }));
    expect(deriveChallenge(reordered, nonce)).toBe(deriveChallenge(intent, nonce));
  });

  it('any change to the intent or the nonce changes the challenge and the fingerprint', () => {
    const nonce = Buffer.alloc(32, 7);
    const changed = { ...intent, params: { ...intent.params, b: 3 } };
    expect(deriveChallenge(changed, nonce)).not.toBe(deriveChallenge(intent, nonce));
    expect(deriveChallenge(intent, Buffer.alloc(32, 8))).not.toBe(deriveChallenge(intent, nonce));
    expect(fingerprint(changed)).not.toBe(fingerprint(intent));
    expect(fingerprint(intent)).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('a stored challenge that does not derive from its stored intent does not match', () => {
    const nonce = Buffer.alloc(32, 1);
    const challenge = deriveChallenge(intent, nonce);
    expect(challengeMatches(challenge, intent, nonce.toString('base64url'))).toBe(true);
    expect(challengeMatches(challenge, { ...intent, job: 'other' }, nonce.toString('base64url'))).toBe(false);
  });
});
