import { timingSafeEqual } from 'node:crypto';
import { KeylaunchError } from './errors';
import { sha256, toBase64Url } from './encoding';
import type { Clock, Random, Store } from './ports';
import type { ProposerToken } from './model';

/**
 * Proposer tokens (issue 16 §2): `klp.<id>.<secret>`, issued by an admin for named jobs, expiring,
 * revocable. Only the SHA-256 of the whole token is stored; the token is shown once.
 */
const TOKEN = /^klp\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/;
export const PROPOSER_TTL_HOURS = { min: 1 / 60, max: 24 * 90 };
const hashOf = (token: string) => sha256(token).toString('hex');

export async function issueProposer(
  deps: { store: Store; clock: Clock; random: Random },
  o: { name: string; jobs: string[]; ttlHours: number; createdBy: string },
): Promise<{ token: string; record: ProposerToken }> {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(o.name)) throw new KeylaunchError('bad_request', 'A proposer name is lowercase letters, digits, ".", "-" and "_", at most 64.');
  if (o.jobs.length === 0 || o.jobs.length > 50 || o.jobs.some((j) => !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(j))) throw new KeylaunchError('bad_request', 'Name 1 to 50 jobs.');
  if (!(o.ttlHours >= PROPOSER_TTL_HOURS.min && o.ttlHours <= PROPOSER_TTL_HOURS.max)) throw new KeylaunchError('bad_request', `A proposer token lives 1 minute to ${PROPOSER_TTL_HOURS.max} hours.`);
  const id = toBase64Url(deps.random.bytes(12));
  const token = `klp.${id}.${toBase64Url(deps.random.bytes(32))}`;
  const now = deps.clock.now();
  const record: ProposerToken = { id, name: o.name, jobs: [...new Set(o.jobs)], secretHash: hashOf(token), createdAt: now, createdBy: o.createdBy, expiresAt: now + o.ttlHours * 3_600_000 };
  await deps.store.putProposer(record);
  return { token, record };
}

/** The live token's record, or `proposer_invalid` (one answer for unknown, wrong, expired and revoked). */
export async function checkProposer(store: Store, now: number, token: string | undefined): Promise<ProposerToken> {
  const invalid = () => new KeylaunchError('proposer_invalid', 'This needs a valid proposer token (Authorization: Proposer klp.…).');
  const id = token ? TOKEN.exec(token)?.[1] : undefined;
  if (!token || !id) throw invalid();
  const record = await store.getProposer(id);
  const given = Buffer.from(hashOf(token), 'hex');
  const known = record ? Buffer.from(record.secretHash, 'hex') : Buffer.alloc(32);
  const same = given.length === known.length && timingSafeEqual(given, known);
  if (!record || !same || record.revokedAt !== undefined || record.expiresAt <= now) throw invalid();
  return record;
}

export const looksLikeProposerToken = (s: string) => TOKEN.test(s);
