/** The verifier's records (docs/security.md "Principals and records"). Plain data: what the Store keeps. */

export type Role = 'admin' | 'operator';

export interface User {
  id: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
  /** Named groups (issue 16's approval rules); set by an admin. Absent on users recorded before groups existed: none. */
  groups?: string[];
}

export interface Credential {
  id: string; // base64url credential id
  userId: string;
  publicKey: string; // base64url COSE public key
  counter: number;
  aaguid: string;
  transports: string[];
  label: string;
  createdAt: number;
  lastUsedAt?: number;
  revokedAt?: number;
  suspendedAt?: number;
}

export interface Invite {
  codeHash: string; // hex SHA-256 of the code; the code itself is never stored
  userName: string;
  role: Role;
  expiresAt: number;
  createdAt: number;
  createdBy: string;
  redeemedAt?: number;
  /** The groups the person gets on enrolling. */
  groups?: string[];
  /** Set with `expiresAt = canceledAt` by `admin cancel-invite` (or a newer first-admin invite): redeeming checks expiry. */
  canceledAt?: number;
}

/** What a challenge approves. Bound into the challenge by hashing its canonical JSON (see intent.ts). */
export type Intent = RunIntent | UnlockIntent | EnrollIntent | KeyIntent | RegisterKeyIntent | AdminIntent | CancelIntent | DecisionIntent;

interface IntentBase {
  v: 1;
  origin: string[];
  rpId: string;
  expiresAt: number;
}

export interface RunIntent extends IntentBase {
  purpose: 'run';
  job: string;
  params: Record<string, ParamValue>;
  /** Names of secret parameters that must come with the confirmation; their values are never stored. */
  secretParams: string[];
  configVersions: Record<string, string>;
  userId: string;
  allowCredentials: string[];
  userVerification: 'required' | 'discouraged';
  /** Issue 16: the job's approvals rule (a proposal's own), signed with the rest, so a receipt can tell whether it was met. */
  approvals?: ApprovalRule;
}

export interface UnlockIntent extends IntentBase {
  purpose: 'unlock';
  userId: string;
  allowCredentials: string[];
}

export interface EnrollIntent extends IntentBase {
  purpose: 'enroll';
  inviteHash: string;
  userId: string;
  userName: string;
  role: Role;
  /** Present only when the invite names groups (older enroll intents hashed without it). */
  groups?: string[];
}

/** Key management: approved with a touch of an existing key. `add_key` also carries a registration. */
export interface KeyIntent extends IntentBase {
  purpose: 'add_key' | 'revoke_key';
  userId: string;
  allowCredentials: string[];
  /** revoke_key: the credential to revoke. */
  credentialId?: string;
  /** revoke_key: the person said yes to revoking their last key. */
  allowLastKey?: boolean;
  /**
   * add_key: the new key, registered before this touch, so the touch approves exactly that key (a
   * renderer cannot swap in its own after the person approved): its id and the SHA-256 of its COSE key.
   */
  newKey?: { credentialId: string; publicKeySha256: string; label: string };
}

/** The registration of a key to add, before any touch approves it: binds nothing but the person. */
export interface RegisterKeyIntent extends IntentBase {
  purpose: 'register_key';
  userId: string;
}

/**
 * An admin's action (issue 15 §4), approved by that admin's touch: exactly the action and its arguments.
 * Targets are named by id and by name, so the approving review says who in words.
 */
export type AdminAction =
  | { kind: 'invite'; userName: string; role: Role; groups: string[]; ttlHours: number }
  | { kind: 'cancel_invite'; userName: string }
  | { kind: 'disable' | 'enable'; userId: string; userName: string }
  | { kind: 'revoke_key'; userId: string; userName: string; credentialId: string; label: string }
  | { kind: 'set_role'; userId: string; userName: string; role: Role }
  | { kind: 'set_groups'; userId: string; userName: string; groups: string[] }
  | { kind: 'approve_grant'; grantId: string; userId: string; userName: string; requestedBy: string };

export interface AdminIntent extends IntentBase {
  purpose: 'admin';
  /** The acting admin. */
  userId: string;
  allowCredentials: string[];
  action: AdminAction;
}

/**
 * Granting admin while more than one admin exists: one admin asks, another approves with their own
 * touch (approve_grant). Expires unapproved after a day.
 */
export interface AdminGrant {
  id: string;
  userId: string;
  userName: string;
  role: 'admin';
  requestedBy: string; // userId of the asking admin
  requestedByName: string;
  createdAt: number;
  expiresAt: number;
  approvedBy?: string;
  approvedAt?: number;
}

/**
 * Stopping one running run (issue 12 §4), approved with a touch like starting it. Bound to the run by its
 * id and the hash of the intent it was launched from, so an approval to stop one run stops no other.
 */
export interface CancelIntent extends IntentBase {
  purpose: 'cancel';
  runId: string;
  job: string;
  runIntentHash: string;
  userId: string;
  allowCredentials: string[];
  /** The job's own: a job that needs user verification to start needs it to stop. */
  userVerification: 'required' | 'discouraged';
}

/**
 * One person's decision on a pending request (issue 16): signed under `keylaunch/approve/v1` or
 * `keylaunch/reject/v1`, over the request's own intent hash (the run intent its requester touched).
 */
export interface DecisionIntent extends IntentBase {
  purpose: 'approve' | 'reject';
  requestId: string;
  /** Hex SHA-256 of the request's canonical run intent: the decision is about exactly that intent. */
  requestHash: string;
  userId: string;
  allowCredentials: string[];
  /** The job's: an approver's key must verify them when the requester's had to. */
  userVerification: 'required' | 'discouraged';
}

export type Purpose = Intent['purpose'];

export type ParamValue = string | number | boolean;

/** Stored single-use challenge (docs/security.md "Principals and records"). Keyed by intentId. */
export interface ChallengeRecord {
  intentId: string;
  purpose: Purpose;
  challenge: string; // base64url
  nonce: string; // base64url, 32 random bytes
  intent: Intent;
  expiresAt: number;
  /** add_key only: the registered key the touch approves; its id and key hash are in the intent. */
  pendingCredential?: Omit<Credential, 'userId' | 'label' | 'createdAt'>;
  consumedAt?: number;
}

/**
 * `ended`: finished, but the service cannot say whether the job succeeded (an EC2 instance stopped).
 * `lost`: a local job whose verifier stopped while it ran; its outcome is unknown (`failure` says so).
 * `cancelled`: stopped by a person's approved cancel (issue 12 §4); `cancelledBy` on the run says who.
 */
export type RunStatus = 'launching' | 'running' | 'succeeded' | 'failed' | 'accepted' | 'ended' | 'lost' | 'cancelled';

/** The raw assertion exactly as received, so anyone can re-verify the approval later. */
export interface Receipt {
  credentialId: string;
  authenticatorData: string;
  clientDataJSON: string;
  signature: string;
  userHandle?: string;
  /**
   * The challenge's nonce (base64url): with the run's `intent` it re-derives the signed challenge after the
   * challenge record has expired (backend/receipt/verifyReceipt.ts). Absent on runs recorded before it was kept.
   */
  nonce?: string;
}

export interface Run {
  id: string;
  job: string;
  params: Record<string, ParamValue | '[secret]'>;
  intentHash: string;
  fingerprint: string;
  configVersions: Record<string, string>;
  userId: string;
  userName: string;
  credentialId: string;
  sourceIp: string;
  status: RunStatus;
  /** The intent this run was launched from: a desktop that lost the confirmation's answer finds it by this. */
  intentId?: string;
  createdAt: number;
  updatedAt: number;
  /** When the launcher said it started (`running`/`accepted`), and when the verifier saw it end: elapsed time. */
  startedAt?: number;
  endedAt?: number;
  launch?: LaunchDetails;
  failure?: { code: string; message: string };
  receipt: Receipt;
  /**
   * The canonical JSON of the approved intent, exactly the bytes `intentHash` hashes. It names the secret
   * parameters but never holds their values. Absent on runs recorded before it was kept.
   */
  intent?: string;
  /** Issue 16: the pending request this run was launched from, and every approval that launched it. */
  requestId?: string;
  approvals?: ApprovalRecord[];
  /** Issue 16 §2: the proposer token that drafted it (then `userId` is `proposer:<id>` and `receipt` the first approver's). */
  proposedBy?: { id: string; name: string; reason?: string };
  /** Set when an approved cancel stopped the run (issue 12 §4). */
  cancelledBy?: { userId: string; userName: string; at: number; fingerprint: string };
}

/** What a launcher reports about what it started. Free-form per launcher, but never secrets. */
export interface LaunchDetails {
  launcher: string;
  summary: string;
  consoleUrl?: string;
  exitCode?: number | null;
  signal?: string | null;
  stdout?: string;
  stderr?: string;
  truncated?: boolean;
  durationMs?: number;
  /** Local jobs, once ended: the ordered tail of their output, which GET /v1/runs/{id}/output serves then. */
  output?: { lines: { seq: number; stream: 'stdout' | 'stderr' | 'log' | 'event'; text: string; at?: number }[]; next: number };
  [key: string]: unknown;
}

export type AuditOutcome = 'accepted' | 'refused' | 'failed';

export interface AuditEntry {
  id: string;
  at: number;
  action: string;
  outcome: AuditOutcome;
  code?: string;
  sourceIp: string;
  userId?: string;
  userName?: string;
  credentialId?: string;
  job?: string;
  runId?: string;
  fingerprint?: string;
  detail?: string;
  /**
   * Retention class (epoch ms): refusals are kept 90 days, accepted actions for good. Entries in the hash
   * chain are never deleted by TTL (a deletion would break the chain); see backend/core/auditChain.ts.
   */
  expiresAt?: number;
  /** The hash chain (issue 15 §2); absent on entries recorded before it. Position in the chain, from 1. */
  seq?: number;
  /** SHA-256 (hex) of the previous entry, or 64 zeros for the first. */
  prevHash?: string;
  /** SHA-256 (hex) of this entry's canonical JSON without `hash` (prevHash included). */
  hash?: string;
  /** The UTC day partition it is stored under (YYYY-MM-DD); never earlier than the previous entry's. */
  day?: string;
  /** A signature of the chain's head at this entry is due (every SEAL_EVERY entries or SEAL_AFTER_MS). */
  sealed?: boolean;
}

/** One person's touch on a pending request (issue 16), kept so anyone can re-verify it (backend/receipt/verifyApprovals.ts). */
export interface ApprovalRecord {
  userId: string;
  userName: string;
  /** The person's groups when they approved (what counted toward the job's group rule). */
  groups: string[];
  credentialId: string;
  at: number;
  /** The canonical JSON of the DecisionIntent the key signed (the requester's own touch: the run intent). */
  intent: string;
  receipt: Receipt;
}

/** `expired` is never stored: a pending request past `expiresAt` reads as expired. */
export type RequestStatus = 'pending' | 'launched' | 'rejected' | 'ended' | 'expired';

/** A run waiting for more people's touches (issue 16 §1). Its intent fields never change once written. */
export interface ApprovalRequest {
  id: string;
  job: string;
  params: Record<string, ParamValue>;
  configVersions: Record<string, string>;
  /** Canonical JSON of the run intent the requester touched, and its hash (hex): what every decision signs over. */
  intent: string;
  intentHash: string;
  intentId: string;
  fingerprint: string;
  requesterId: string;
  requesterName: string;
  /** The requester's touch over the run intent (their approval, when the job lets the requester count). Absent on a proposal. */
  requesterReceipt?: Receipt;
  requesterCredentialId?: string;
  /** Issue 16 §2: drafted by automation with a proposer token; `requesterId` is then `proposer:<id>`. */
  proposer?: { id: string; name: string };
  /** The proposer's reason, shown to the approvers. */
  reason?: string;
  rule: ApprovalRule;
  status: Exclude<RequestStatus, 'expired'>;
  approvals: ApprovalRecord[];
  rejectedBy?: ApprovalRecord;
  /** Why it ended without launching (an `approval_*` code), or the launch's run. */
  end?: { code: string; message: string; at: number };
  runId?: string;
  sourceIp: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  /** Optimistic concurrency: each write names the version it read. */
  version: number;
}

/** A job's `approvals` (job.ts): `min` distinct people, and per group how many of them at least. */
export interface ApprovalRule {
  min: number;
  groups: Record<string, number>;
  requesterCounts: boolean;
  ttlSeconds: number;
}

/** Issue 16 §2: an admin-issued token that may only propose runs of the named jobs. The token itself is never stored. */
export interface ProposerToken {
  id: string;
  name: string;
  jobs: string[];
  /** Hex SHA-256 of the whole token. */
  secretHash: string;
  createdAt: number;
  createdBy: string;
  expiresAt: number;
  revokedAt?: number;
}
