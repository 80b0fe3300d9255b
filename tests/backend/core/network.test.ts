import { describe, expect, it } from 'vitest';
import { createIpAllowlist } from '../../../backend/core/network';

describe('IP allowlist', () => {
  const allowed = createIpAllowlist(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
  it.each([
    ['10.1.2.3', true],
    ['11.0.0.1', false],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['::ffff:10.9.9.9', true],
    ['2001:db8::1', true],
    ['2001:db9::1', false],
    ['not-an-ip', false],
    ['', false],
  ])('%s -> %s', (ip, expected) => expect(allowed(ip)).toBe(expected));

  it('refuses a malformed CIDR at startup', () => {
    expect(() => createIpAllowlist(['10.0.0.0/33'])).toThrow();
    expect(() => createIpAllowlist(['example.com/8'])).toThrow();
  });

  // From an attacker's review: spellings Number() reads as 0 admitted everyone, and "-0" aborted Node.
  it.each(['0.0.0.0/', '0.0.0.0/00', '0.0.0.0/0x0', '0.0.0.0/ 0', '0.0.0.0/0.0', '0.0.0.0/-0', '::/', '::/00', '10.0.0.0/8/8', '10.0.0.0/+8'])('refuses the prefix spelling %s', (cidr) => {
    expect(() => createIpAllowlist([cidr])).toThrow(`Not a CIDR: ${cidr}`);
  });
});
