import { randomFillSync } from 'node:crypto';
import type { Random } from './ports';

/**
 * Cryptographic random bytes drawn from a pool refilled in 4 KiB blocks: one call into the CSPRNG per
 * ~100 requests instead of one per id or nonce. Each byte is handed out once and copied out of the pool.
 */
export function randomPool(blockSize = 4096): Random {
  const pool = Buffer.alloc(blockSize);
  let offset = blockSize;
  return {
    bytes(n) {
      if (n > blockSize / 4) return randomFillSync(Buffer.alloc(n));
      if (offset + n > blockSize) {
        randomFillSync(pool);
        offset = 0;
      }
      const out = Buffer.from(pool.subarray(offset, offset + n));
      offset += n;
      return out;
    },
  };
}
