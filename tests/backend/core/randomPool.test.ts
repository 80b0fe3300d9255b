import { describe, expect, it } from 'vitest';
import { randomPool } from '../../../backend/core/randomPool';

describe('random pool', () => {
  it('never hands out the same bytes twice, across refills, and returns copies', () => {
    const random = randomPool(64);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const b = random.bytes(10);
      expect(b).toHaveLength(10);
      const hex = b.toString('hex');
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
      b.fill(0); // a caller writing into its bytes cannot touch bytes handed out later
    }
    expect(random.bytes(10).equals(Buffer.alloc(10))).toBe(false);
  });

  it('serves large requests directly', () => {
    const random = randomPool(64);
    const a = random.bytes(100);
    expect(a).toHaveLength(100);
    expect(a.equals(Buffer.alloc(100))).toBe(false);
  });
});
