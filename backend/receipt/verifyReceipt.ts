import * as z from 'zod';
import { canonicalJson } from '../core/canonicalJson';
import { fromBase64Url } from '../core/encoding';
import { deriveChallenge, fingerprint, intentHash } from '../core/intent';
import { Refusal, checkTouch, refuse, short } from './signedTouch';
import { approvalsSchema, approvedBy, checkApprovals, checkProposed, type VerifiedApproval } from './verifyApprovals';
import { MAX_RUN_CHALLENGE_TTL_SECONDS } from '../core/config';
import type { ParamValue, RunIntent } from '../core/model';

/**
 * Re-verifies a run's approval offline (docs/security.md, property 18): from the run exactly as
 * `GET /v1/runs/{id}` answers it, and a key taken from the verifier's own records — never from the file.
 * It re-derives the challenge from the run's intent and nonce with the same code the verifier binds with
 * (core/intent.ts), then checks the assertion as strictly as the verifier did at confirm time.
 * No store, no SDK: the caller says where trusted keys come from (backend/cli/verify.ts).
 */

/** A public key as the verifier's records hold it (the Store's Credential, with its owner's name). */
export interface TrustedKey {
  credentialId: string;
  userId: string;
  userName: string;
  publicKey: string; // base64url COSE
  label: string;
  createdAt: number;
  revokedAt?: number;
  suspendedAt?: number;
}

/** What the verifier itself trusts: its rpId, its origins, and its keys (revoked ones included). */
export interface TrustedRecords {
  rpId: string;
  origins: string[];
  key(userId: string, credentialId: string): Promise<TrustedKey | undefined>;
}

/** Why a receipt does not verify, one stable code each (docs/api.md, "Receipts"). */
export type ReceiptProblem =
  | 'receipt_malformed'
  | 'receipt_incomplete'
  | 'run_disagrees'
  | 'key_unknown'
  | 'key_not_allowed'
  | 'key_revoked_before'
  | 'wrong_type'
  | 'wrong_origin'
  | 'cross_origin'
  | 'wrong_rp_id'
  | 'no_user_presence'
  | 'no_user_verification'
  | 'challenge_mismatch'
  | 'bad_signature'
  | 'signature_not_der'
  | 'approval_other_request'
  | 'approval_repeated';

export interface VerifiedReceipt {
  ok: true;
  runId: string;
  /** What the touch approved: all of it signed, through the challenge. */
  approved: {
    job: string;
    params: Record<string, ParamValue>;
    /** Names only: their values were never stored. */
    secretParams: string[];
    configVersions: Record<string, string>;
    fingerprint: string;
    intentHash: string;
    userVerification: 'required' | 'discouraged';
  };
  /** Who: from the verifier's records, not from the file. */
  by: TrustedKey;
  /** When: the key signed before `signedBefore` (the intent's expiry, signed); `recordedAt` is the run record's own time (not signed). */
  signedBefore: number;
  recordedAt: number;
  origin: string;
  rpId: string;
  userVerified: boolean;
  /** Issue 16: each approval's touch, verified the same way (the run's own receipt is the requester's). */
  approvals?: VerifiedApproval[];
  /** Issue 16 §2: the proposer token's id the signed intent names; its name and reason are the run record's (not signed). */
  proposedBy?: { id: string; name: string; reason?: string };
}

export interface RefusedReceipt {
  ok: false;
  runId?: string;
  problem: ReceiptProblem;
  reason: string;
}

export type ReceiptVerdict = VerifiedReceipt | RefusedReceipt;

const b64url = z.string().min(1).max(100_000).regex(/^[A-Za-z0-9_-]+$/, 'base64url');
const paramValue = z.union([z.string(), z.number(), z.boolean()]);
/** Only the fields re-verification reads; anything else a run carries (launch details, status) is not checked. */
const runSchema = z.object({
  id: z.string().min(1).max(200),
  job: z.string(),
  params: z.record(z.string(), paramValue),
  intentHash: z.string(),
  fingerprint: z.string(),
  configVersions: z.record(z.string(), z.string()),
  userId: z.string(),
  userName: z.string(),
  credentialId: z.string(),
  createdAt: z.number(),
  receipt: z.object({
    credentialId: b64url,
    authenticatorData: b64url,
    clientDataJSON: b64url,
    signature: b64url,
    userHandle: z.string().optional(),
    nonce: b64url.optional(),
  }),
  intent: z.string().max(400_000).optional(),
  requestId: z.string().optional(),
  proposedBy: z.object({ id: z.string(), name: z.string(), reason: z.string().optional() }).optional(),
  approvals: approvalsSchema.optional(),
});
const intentSchema = z.object({
  v: z.literal(1),
  purpose: z.literal('run'),
  job: z.string(),
  params: z.record(z.string(), paramValue),
  secretParams: z.array(z.string()),
  configVersions: z.record(z.string(), z.string()),
  userId: z.string(),
  allowCredentials: z.array(z.string()),
  userVerification: z.enum(['required', 'discouraged']),
  approvals: z.object({ min: z.number().int(), groups: z.record(z.string(), z.number()), requesterCounts: z.boolean(), ttlSeconds: z.number() }).optional(),
  origin: z.array(z.string()),
  rpId: z.string(),
  expiresAt: z.number(),
});

/**
 * Issue 16: the job's rule is signed with the intent, so the approvals a run carries must reach its `min`
 * distinct people (the requester only where it counts). Group seats are not checked here: a person's
 * groups are not signed.
 */
function checkRuleMet(intent: RunIntent, approvals: VerifiedApproval[] | undefined): void {
  const rule = intent.approvals;
  if (!rule) return;
  const people = new Set((approvals ?? []).filter((a) => !a.requester || rule.requesterCounts).map((a) => a.by.userId));
  if (people.size < rule.min) refuse('receipt_incomplete', `The job's approvals rule, signed with the intent, needs ${rule.min} people; the run carries approvals by ${people.size}.`);
}

/** `input`: the parsed JSON of `GET /v1/runs/{id}`'s answer (`{ run }`) or of the run itself. */
export async function verifyReceipt(input: unknown, records: TrustedRecords): Promise<ReceiptVerdict> {
  const runJson = typeof input === 'object' && input !== null && 'run' in input ? (input as { run: unknown }).run : input;
  const runId = typeof runJson === 'object' && runJson !== null && typeof (runJson as { id?: unknown }).id === 'string' ? (runJson as { id: string }).id : undefined;
  try {
    return await check(runJson, records);
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, ...(runId !== undefined ? { runId } : {}), problem: e.problem, reason: e.reason };
    throw e;
  }
}

async function check(runJson: unknown, records: TrustedRecords): Promise<VerifiedReceipt> {
  const parsed = runSchema.safeParse(runJson);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return refuse('receipt_malformed', `This is not a run as GET /v1/runs/{id} answers it: ${issue.path.join('.') || 'the file'}: ${issue.message}.`);
  }
  const run = parsed.data;
  const { receipt } = run;
  if (run.intent === undefined || receipt.nonce === undefined) {
    return refuse('receipt_incomplete', 'The run keeps no intent or nonce (it was recorded before receipts kept them), so its challenge cannot be re-derived.');
  }
  const intent = readIntent(run.intent);

  // 1. The run record says what the intent says: these are the fields people read.
  const hash = intentHash(intent);
  const secretsHidden = { ...intent.params, ...Object.fromEntries(intent.secretParams.map((n) => [n, '[secret]'])) };
  const disagreements: [string, boolean][] = [
    ['intentHash', run.intentHash === hash.toString('hex')],
    ['fingerprint', run.fingerprint === fingerprint(intent, hash)],
    ['job', run.job === intent.job],
    ['params', canonicalJson(run.params) === canonicalJson(secretsHidden)],
    ['configVersions', canonicalJson(run.configVersions) === canonicalJson(intent.configVersions)],
    ['userId', run.userId === intent.userId],
    ['credentialId', run.credentialId === receipt.credentialId],
  ];
  const field = disagreements.find(([, same]) => !same)?.[0];
  if (field) refuse('run_disagrees', `The run's ${field} is not what its intent says.`);
  // Issue 16: every request's rule needs at least one person besides the requester, so a run that names
  // its request without such an approval had its evidence taken away (the rule itself is not signed).
  if (run.requestId !== undefined && !(run.approvals ?? []).some((a) => a.userId !== run.userId)) {
    refuse('receipt_incomplete', `The run was launched by request ${run.requestId}, but carries no approval by anyone besides the requester.`);
  }

  // Issue 16 §2: a proposed run has no requester's touch; its approvers' touches are the whole evidence.
  if (run.proposedBy) {
    const verdict = await checkProposed(run, intent, hash, records);
    checkRuleMet(intent, verdict.approvals);
    return verdict;
  }

  // 2. The key: the verifier's own record of it, and one this intent allowed.
  if (!intent.allowCredentials.includes(receipt.credentialId)) refuse('key_not_allowed', `Key ${short(receipt.credentialId)} is not one the intent allowed to approve it.`);
  const key = await records.key(intent.userId, receipt.credentialId);
  if (!key || key.userId !== intent.userId || key.credentialId !== receipt.credentialId) {
    return refuse('key_unknown', `The verifier's records have no key ${short(receipt.credentialId)} for user ${intent.userId}.`);
  }
  if (run.userName !== key.userName) refuse('run_disagrees', `The run names ${run.userName}, but the key belongs to ${key.userName}.`);
  // The intent was prepared at most MAX_RUN_CHALLENGE_TTL_SECONDS before its expiry; a key revoked or
  // suspended before then was never offered, and the verifier would have refused it.
  const preparedAfter = intent.expiresAt - MAX_RUN_CHALLENGE_TTL_SECONDS * 1000;
  const inactiveSince = Math.min(key.revokedAt ?? Infinity, key.suspendedAt ?? Infinity);
  if (inactiveSince < preparedAfter) {
    refuse('key_revoked_before', `Key ${short(key.credentialId)} was ${key.revokedAt === inactiveSince ? 'revoked' : 'suspended'} at ${new Date(inactiveSince).toISOString()}, before this approval was asked for: the verifier could not have accepted it.`);
  }

  // 3–5. What the key signed, the binding (the challenge derived from this intent and nonce), the signature.
  const challenge = deriveChallenge(intent, fromBase64Url(receipt.nonce), hash);
  const touch = await checkTouch({
    touch: receipt,
    challenge,
    key,
    rpId: records.rpId,
    origins: records.origins,
    intentOrigins: intent.origin,
    intentRpId: intent.rpId,
    requireUserVerification: intent.userVerification === 'required',
  });
  // Issue 16: a run launched by several people's approvals keeps each one's touch; each verifies too.
  const approvals = run.approvals ? await checkApprovals(run, hash, records) : undefined;
  checkRuleMet(intent, approvals);

  return {
    ok: true,
    runId: run.id,
    approved: approvedBy(intent, hash),
    by: key,
    signedBefore: intent.expiresAt,
    recordedAt: run.createdAt,
    origin: touch.origin,
    rpId: records.rpId,
    userVerified: touch.userVerified,
    ...(approvals ? { approvals } : {}),
  };
}

/** The intent must be exactly its own canonical JSON: then what is read from it is what was hashed. */
function readIntent(text: string): RunIntent {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refuse('receipt_malformed', 'The run\'s intent is not JSON.');
  }
  let canonical: string | undefined;
  try {
    canonical = canonicalJson(json);
  } catch {
    canonical = undefined;
  }
  if (canonical !== text) refuse('receipt_malformed', 'The run\'s intent is not in canonical JSON, so it is not the text that was hashed.');
  const parsed = intentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return refuse('receipt_malformed', `The run's intent is not a run intent: ${issue.path.join('.') || 'intent'}: ${issue.message}.`);
  }
  // The parsed JSON itself, not zod's copy: a member the schema does not name is still part of what was hashed.
  return json as RunIntent;
}

