import { describe, expect, it } from 'vitest';
import { addressKey } from '../../../backend/core/rateLimit';

/** From an attacker's review: 20 failures spread over one IPv6 /64 never locked anything. */
describe('the key a source address is counted under', () => {
  it.each([
    ['203.0.113.7', 'ip:203.0.113.7'],
    ['::ffff:203.0.113.7', 'ip:203.0.113.7'],
    ['2001:db8:1:2::1', 'ip:2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:fffe', 'ip:2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:0000:0000:0000:0009', 'ip:2001:db8:1:2::/64'],
    ['::1', 'ip:0:0:0:0::/64'],
  ])('%s -> %s', (ip, key) => expect(addressKey(ip)).toBe(key));

  it('one /64 is one key, the next /64 another', () => {
    expect(addressKey('2001:db8:1:2::1')).toBe(addressKey('2001:db8:1:2:abcd::99'));
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
  });
});
