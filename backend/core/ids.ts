import { base32Crockford } from './encoding';
import type { Clock, Random } from './ports';

/**
 * Time-ordered ids (48-bit milliseconds + 80 random bits, Crockford base32, like a ULID), so runs and
 * audit entries sort newest-first by key alone.
 */
export function timeOrderedId(prefix: string, clock: Clock, random: Random): string {
  const time = Buffer.alloc(6);
  time.writeUIntBE(Math.max(0, Math.floor(clock.now())), 0, 6);
  return `${prefix}${base32Crockford(Buffer.concat([time, random.bytes(10)]), 26)}`;
}

export function randomId(prefix: string, random: Random, bytes = 16): string {
  return `${prefix}${random.bytes(bytes).toString('base64url')}`;
}
