import * as z from 'zod';
import { canonicalJson } from '../core/canonicalJson';
import { fromBase64Url } from '../core/encoding';
import { deriveChallenge } from '../core/intent';
import { MAX_RUN_CHALLENGE_TTL_SECONDS } from '../core/config';
import { checkTouch, refuse, short } from './signedTouch';
import { authenticatorFlags } from '../core/webauthn';
import type { DecisionIntent, RunIntent } from '../core/model';
import type { TrustedKey, TrustedRecords, VerifiedReceipt } from './verifyReceipt';
import { fingerprint } from '../core/intent';

/**
 * Issue 16: a run launched by a request keeps every approval. Each approver's touch signed
 * `keylaunch/approve/v1` over a decision intent naming the run's intent hash; it re-verifies from the
 * decision intent and its nonce, with the approver's key from the verifier's records. The requester's own
 * approval (a job whose requester counts) is the run's receipt itself, verified by verifyReceipt.ts.
 */

const b64url = z.string().min(1).max(100_000).regex(/^[A-Za-z0-9_-]+$/, 'base64url');
export const approvalsSchema = z
  .array(
    z.object({
      userId: z.string(),
      userName: z.string(),
      credentialId: z.string(),
      at: z.number(),
      intent: z.string().max(100_000),
      receipt: z.object({ credentialId: b64url, authenticatorData: b64url, clientDataJSON: b64url, signature: b64url, userHandle: z.string().optional(), nonce: b64url }),
    }),
  )
  .max(50);
type Approval = z.infer<typeof approvalsSchema>[number];

const decisionSchema = z.object({
  v: z.literal(1),
  purpose: z.literal('approve'),
  requestId: z.string(),
  requestHash: z.string(),
  userId: z.string(),
  allowCredentials: z.array(z.string()),
  userVerification: z.enum(['required', 'discouraged']),
  origin: z.array(z.string()),
  rpId: z.string(),
  expiresAt: z.number(),
});

export interface VerifiedApproval {
  /** Who: from the verifier's records, not from the file. */
  by: TrustedKey;
  /** The requester's own touch (the run's receipt), or another person's decision. */
  requester: boolean;
  signedBefore: number;
  userVerified: boolean;
  /** Where the approver's key signed (an approver's touch; the requester's is the run's own `origin`). */
  origin?: string;
}

interface RunPart {
  userId: string;
  requestId?: string | undefined;
  intent?: string | undefined;
  receipt: unknown;
  approvals?: Approval[] | undefined;
}

/** What a run intent approved, as a verdict names it: every field of it is signed, through the challenge. */
export function approvedBy(intent: RunIntent, hash: Buffer): VerifiedReceipt['approved'] {
  return {
    job: intent.job,
    params: intent.params,
    secretParams: intent.secretParams,
    configVersions: intent.configVersions,
    fingerprint: fingerprint(intent, hash),
    intentHash: hash.toString('hex'),
    userVerification: intent.userVerification,
  };
}

export async function checkApprovals(run: RunPart, runHash: Buffer, records: TrustedRecords): Promise<VerifiedApproval[]> {
  const approvals = run.approvals ?? [];
  const people = new Set(approvals.map((a) => a.userId));
  if (people.size !== approvals.length) refuse('approval_repeated', 'The run counts one person\'s approval more than once.');
  const verified: VerifiedApproval[] = [];
  for (const [i, a] of approvals.entries()) {
    const who = `Approval ${i + 1} (${a.userName}): `;
    if (a.userId === run.userId) {
      // The requester's touch is the run's own receipt: the same intent, the same assertion.
      if (a.intent !== run.intent || canonicalJson(a.receipt) !== canonicalJson(run.receipt)) refuse('run_disagrees', `${who}the requester's approval is not the run's own receipt.`);
      const key = await records.key(a.userId, a.receipt.credentialId);
      if (!key) return refuse('key_unknown', `${who}the verifier's records have no key ${short(a.receipt.credentialId)} for this user.`);
      verified.push({ by: key, requester: true, signedBefore: (JSON.parse(a.intent) as { expiresAt: number }).expiresAt, userVerified: authenticatorFlags(a.receipt.authenticatorData).uv });
      continue;
    }
    const intent = readDecision(a.intent, who);
    if (intent.requestHash !== runHash.toString('hex') || (run.requestId !== undefined && intent.requestId !== run.requestId)) {
      refuse('approval_other_request', `${who}the touch approved another request, not this run's intent.`);
    }
    if (intent.userId !== a.userId || a.credentialId !== a.receipt.credentialId) refuse('run_disagrees', `${who}the approval names someone its intent does not.`);
    if (!intent.allowCredentials.includes(a.receipt.credentialId)) refuse('key_not_allowed', `${who}key ${short(a.receipt.credentialId)} is not one the decision allowed.`);
    const key = await records.key(intent.userId, a.receipt.credentialId);
    if (!key || key.userId !== intent.userId) return refuse('key_unknown', `${who}the verifier's records have no key ${short(a.receipt.credentialId)} for user ${intent.userId}.`);
    if (key.userName !== a.userName) refuse('run_disagrees', `${who}the approval names ${a.userName}, but the key belongs to ${key.userName}.`);
    const askedAfter = intent.expiresAt - MAX_RUN_CHALLENGE_TTL_SECONDS * 1000;
    if (Math.min(key.revokedAt ?? Infinity, key.suspendedAt ?? Infinity) < askedAfter) refuse('key_revoked_before', `${who}key ${short(key.credentialId)} was revoked or suspended before this approval was asked for.`);
    const challenge = deriveChallenge(intent, fromBase64Url(a.receipt.nonce));
    const touch = await checkTouch({
      touch: a.receipt,
      challenge,
      key,
      rpId: records.rpId,
      origins: records.origins,
      intentOrigins: intent.origin,
      intentRpId: intent.rpId,
      requireUserVerification: intent.userVerification === 'required',
      who,
    });
    verified.push({ by: key, requester: false, signedBefore: intent.expiresAt, userVerified: touch.userVerified, origin: touch.origin });
  }
  return verified;
}

/**
 * A proposed run (issue 16 §2): its intent names the proposer and allows no key; the run's `receipt` is the
 * first approval's, and every approval must verify. `by` is the first approver.
 */
export async function checkProposed(
  run: RunPart & { id: string; createdAt: number; proposedBy?: { id: string; name: string; reason?: string | undefined } | undefined },
  intent: RunIntent,
  hash: Buffer,
  records: TrustedRecords,
): Promise<VerifiedReceipt> {
  const approvals = run.approvals ?? [];
  if (approvals.length === 0) return refuse('receipt_incomplete', 'A proposed run with no approval: nobody\'s touch launched it.');
  if (intent.userId !== `proposer:${run.proposedBy!.id}` || intent.allowCredentials.length !== 0) refuse('run_disagrees', 'The run says it was proposed, but its intent does not name that proposer.');
  if (canonicalJson(approvals[0]!.receipt) !== canonicalJson(run.receipt)) refuse('run_disagrees', 'A proposed run\'s receipt is not its first approval\'s.');
  const verified = await checkApprovals(run, hash, records);
  const first = verified[0]!;
  return {
    ok: true,
    runId: run.id,
    approved: approvedBy(intent, hash),
    by: first.by,
    signedBefore: first.signedBefore,
    recordedAt: run.createdAt,
    origin: first.origin!,
    rpId: records.rpId,
    userVerified: first.userVerified,
    approvals: verified,
    proposedBy: { id: run.proposedBy!.id, name: run.proposedBy!.name, ...(run.proposedBy!.reason !== undefined ? { reason: run.proposedBy!.reason } : {}) },
  };
}

/** Like the run's intent: exactly its own canonical JSON, so what is read is what was hashed. */
function readDecision(text: string, who: string): DecisionIntent {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refuse('receipt_malformed', `${who}the decision intent is not JSON.`);
  }
  let canonical: string | undefined;
  try {
    canonical = canonicalJson(json);
  } catch {
    canonical = undefined;
  }
  if (canonical !== text) refuse('receipt_malformed', `${who}the decision intent is not in canonical JSON.`);
  if (!decisionSchema.safeParse(json).success) refuse('receipt_malformed', `${who}the decision intent is not an approval.`);
  return json as DecisionIntent;
}
