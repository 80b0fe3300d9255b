import * as z from 'zod';
import { KeylaunchError } from './errors';
import { base32Crockford, sha256 } from './encoding';
import type { VerifierDeps } from './deps';
import type { Invite, Role } from './model';

/**
 * One-time invite codes (docs/security.md "Principals and records"): 160 random bits shown once, stored only as a hash,
 * with the user name, role and expiry. Enrollment is the only way a key gets registered.
 */
export const userNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lowercase letters, digits, ".", "-" and "_", at most 64');

/** A group name (issue 16's approval rules name groups): like a user name, at most 32 characters. */
export const groupNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,31}$/, 'lowercase letters, digits, ".", "-" and "_", at most 32');
/** A person's groups: at most 20 distinct names, kept sorted so equal sets read (and hash) the same. */
export const groupsSchema = z
  .array(groupNameSchema)
  .max(20, 'at most 20 groups')
  .refine((g) => new Set(g).size === g.length, 'a group is named twice')
  .transform((g) => [...g].sort());

/** Codes are read aloud and typed: case, spaces and dashes do not matter. */
export const normalizeInviteCode = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');
export const inviteCodeHash = (code: string) => sha256(`keylaunch/invite/v1\0${normalizeInviteCode(code)}`).toString('hex');

/** How long an invite may live, in hours: 1 minute to 14 days. The CLI's checks and help use these. */
export const INVITE_TTL_HOURS = { min: 1 / 60, max: 24 * 14 } as const;

export interface CreatedInvite {
  code: string;
  userName: string;
  role: Role;
  groups: string[];
  expiresAt: number;
}

export async function createInvite(
  deps: Pick<VerifierDeps, 'store' | 'clock' | 'random'>,
  options: { userName: string; role: Role; createdBy: string; ttlHours: number; groups?: string[] },
): Promise<CreatedInvite> {
  const userName = userNameSchema.safeParse(options.userName);
  if (!userName.success) throw new KeylaunchError('bad_request', `Invalid user name: ${userName.error.issues[0]?.message}`);
  if (await deps.store.getUserByName(userName.data)) throw new KeylaunchError('user_exists', `User ${userName.data} already exists.`);
  const groups = groupsSchema.safeParse(options.groups ?? []);
  if (!groups.success) throw new KeylaunchError('bad_request', `Invalid groups: ${groups.error.issues[0]?.message}`);
  if (!(options.ttlHours >= INVITE_TTL_HOURS.min && options.ttlHours <= INVITE_TTL_HOURS.max)) throw new KeylaunchError('bad_request', 'An invite lives from 1 minute to 14 days.');
  const raw = base32Crockford(deps.random.bytes(20), 32);
  const code = `KL-${raw.match(/.{4}/g)!.join('-')}`;
  const now = deps.clock.now();
  const invite: Invite = {
    codeHash: inviteCodeHash(code),
    userName: userName.data,
    role: options.role,
    ...(groups.data.length ? { groups: groups.data } : {}),
    createdAt: now,
    createdBy: options.createdBy,
    expiresAt: now + Math.round(options.ttlHours * 3600_000),
  };
  await deps.store.putInvite(invite);
  return { code, userName: invite.userName, role: invite.role, groups: groups.data, expiresAt: invite.expiresAt };
}
