import type { CatalogEntry, ExecutionRef, JobDefinition } from './job';
import type { Notification } from './notification';
import type { AdminGrant, ApprovalRequest, ProposerToken, AuditEntry, ChallengeRecord, Credential, Invite, LaunchDetails, ParamValue, Role, Run, User } from './model';

/**
 * The verifier core's ports (docs/architecture.md). The core never sees an SDK client: adapters under
 * backend/adapters implement these, and tests use fakes that `implements` them so they cannot drift.
 */

export type ConsumeResult =
  | { ok: true; record: ChallengeRecord }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' };

export type CounterResult = 'advanced' | 'regressed' | 'inactive';

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface Store {
  getUserByName(name: string): Promise<User | undefined>;
  /** The user and all their credentials, in one read. */
  getUserWithCredentials(userId: string): Promise<{ user: User; credentials: Credential[] } | undefined>;
  /** Fails with `user_exists` when the name is taken (names are unique). */
  createUser(user: User): Promise<void>;
  /** Disabling a user refuses their unlocks and ends their sessions at the next request. */
  setUserDisabled(userId: string, disabled: boolean): Promise<void>;
  putCredential(credential: Credential): Promise<void>;
  setCredentialState(userId: string, credentialId: string, state: { revokedAt?: number; suspendedAt?: number }): Promise<void>;
  /**
   * docs/security.md, property 5, as one conditional write: accepted when both counters are 0, or when `next` exceeds
   * the stored counter, and only while the credential is neither revoked nor suspended.
   */
  advanceCounter(userId: string, credentialId: string, next: number, now: number): Promise<CounterResult>;

  putInvite(invite: Invite): Promise<void>;
  getInvite(codeHash: string): Promise<Invite | undefined>;
  /** Marks the invite redeemed if it is unredeemed and unexpired; false otherwise. Atomic. */
  redeemInvite(codeHash: string, now: number): Promise<boolean>;

  putChallenge(record: ChallengeRecord): Promise<void>;
  /** docs/security.md, property 1: single use, atomically, only while `expiresAt > now`. */
  consumeChallenge(intentId: string, now: number): Promise<ConsumeResult>;

  /** Records a session as ended (the desktop locked) until `expiresAt`; loadSession refuses it from then on. */
  endSession(sessionId: string, expiresAt: number): Promise<void>;
  isSessionEnded(sessionId: string): Promise<boolean>;

  /**
   * Claims an intent for the run about to be made from it: one run per intent. Fails if the intent
   * already has one. Written beside the run itself, so it costs no round trip of its own.
   */
  reserveRun(intentId: string, runId: string): Promise<void>;
  /** Fails if a run with that id exists. */
  createRun(run: Run): Promise<void>;
  /** The run launched from an intent, if any (GET /v1/runs?intentId=…). */
  getRunByIntent(intentId: string): Promise<Run | undefined>;
  updateRun(run: Run): Promise<void>;
  getRun(runId: string): Promise<Run | undefined>;
  listRuns(options: { limit: number; cursor?: string }): Promise<Page<Run>>;

  /**
   * Administration (issue 15 §4): everyone, their keys, every invite and admin grant, in one read. An
   * admin's occasional question: in DynamoDB a filtered Scan of the table.
   */
  readDirectory(): Promise<Directory>;
  setUserRole(userId: string, role: Role): Promise<void>;
  setUserGroups(userId: string, groups: string[]): Promise<void>;
  /** Cancels the invite if it is still pending (unredeemed, unexpired); false otherwise. Atomic. */
  cancelInvite(codeHash: string, now: number): Promise<boolean>;
  putAdminGrant(grant: AdminGrant): Promise<void>;
  /**
   * Marks the grant approved by `approverId` if it is unapproved, unexpired and was not asked by that
   * same admin; false otherwise. Atomic, so one grant is approved once.
   */
  approveAdminGrant(grantId: string, approverId: string, now: number): Promise<boolean>;

  /** Issue 16: a pending request. Fails if one with that id exists. */
  createRequest(request: ApprovalRequest): Promise<void>;
  getRequest(requestId: string): Promise<ApprovalRequest | undefined>;
  /**
   * Writes a request's decisions and state only if it is still at `expectedVersion`, and bumps the version:
   * concurrent decisions on one request serialize here. The intent fields cannot be written at all.
   * false when another write came first (the caller reads again).
   */
  updateRequest(requestId: string, expectedVersion: number, changes: RequestChanges): Promise<boolean>;
  /**
   * Requests created at or after `since` (epoch ms), newest first, at most `limit` (the open ones are all
   * recent). With `openAt`, only those still pending and unexpired then: closed ones never use up `limit`.
   */
  listRequestsSince(since: number, limit: number, openAt?: number): Promise<ApprovalRequest[]>;

  /** Issue 16 §2: proposer tokens, by id (stored hashed). */
  putProposer(token: ProposerToken): Promise<void>;
  getProposer(id: string): Promise<ProposerToken | undefined>;
  /** false when there is no such token. */
  revokeProposer(id: string, at: number): Promise<boolean>;
  listProposers(): Promise<ProposerToken[]>;

  /**
   * Appends to the hash-chained audit log (backend/core/auditLog.ts): links the entry to the chain's head
   * with one conditional write, retrying a lost race, and signs the head when a signature is due.
   */
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first, across day partitions; the cursor is opaque. */
  listAudit(options: { limit: number; cursor?: string }): Promise<Page<AuditEntry>>;

  /** Times (ms) of `key`'s failures at or after `since`, newest first, at most `limit` (e.g. `ip:1.2.3.4`). */
  recentFailures(key: string, since: number, limit: number): Promise<number[]>;
  /** One failure at `at` for each key; kept at least until `expiresAt`. */
  recordFailure(keys: string[], at: number, expiresAt: number): Promise<void>;
}

/** The audit chain's head: the newest entry, kept whole in the head item until the next append copies it. */
export interface AuditHead {
  seq: number;
  hash: string;
  day: string;
  entry: AuditEntry;
  /** When the last sealed entry was appended (epoch ms): the time half of the signing policy. */
  sealedAt: number;
}

/** A signature of the chain's head at `seq` (backend/core/auditChain.ts `headMessage`). */
export interface HeadSignature {
  seq: number;
  hash: string;
  at: number;
  keyId: string;
  algorithm: 'ECDSA_SHA_256';
  signature: string; // base64 DER
}

/** The storage the audit chain needs: a head moved by one conditional write, and the entries behind it. */
export interface AuditChainStore {
  readAuditHead(): Promise<AuditHead | undefined>;
  /**
   * Moves the head from `expected` to `next` if it is still `expected` (one conditional write); false
   * when another writer moved it first. Meanwhile, in the same round trip, `expected.entry` (already in
   * the chain) is copied to its day partition, idempotently.
   */
  advanceAuditHead(expected: AuditHead | undefined, next: AuditHead): Promise<boolean>;
  putHeadSignature(signature: HeadSignature): Promise<void>;
  /** Every chained entry (the head's included) and every signature, for `npm run verify -- audit`. */
  readAuditChain(): Promise<{ entries: AuditEntry[]; signatures: HeadSignature[]; head?: AuditHead }>;
}

/** Signs the chain's head: KMS (ECDSA_SHA_256) in AWS, a local key file in local mode. */
export interface HeadSigner {
  keyId: string;
  /** An ECDSA P-256 / SHA-256 signature of `message`, DER encoded. */
  sign(message: Buffer): Promise<Buffer>;
}

export interface Directory {
  people: { user: User; credentials: Credential[] }[];
  invites: Invite[];
  grants: AdminGrant[];
}
/** What a decision may change on a request: never its intent, requester or rule. */
export type RequestChanges = Pick<ApprovalRequest, 'status' | 'approvals' | 'updatedAt'> & Partial<Pick<ApprovalRequest, 'rejectedBy' | 'end' | 'runId'>>;

export interface JobCatalog {
  listJobs(): Promise<CatalogEntry[]>;
  /** `fresh`: bypass any cache. The confirm path asks for it, so a changed config is always seen (§8). */
  getJob(name: string, options?: { fresh?: boolean }): Promise<CatalogEntry | undefined>;
}

export interface LaunchRequest {
  runId: string;
  job: JobDefinition;
  params: Record<string, ParamValue>;
  /** Secret parameter values: for the job only, never to be logged or stored by a launcher. */
  secrets: Record<string, ParamValue>;
  requestedBy: string;
  /** The approved intent's fingerprint: AWS launch roles carry it as a session tag (issue 15 §3). */
  fingerprint?: string;
  configVersions: Record<string, string>;
  /** The job's execution config, by name and version, for the job to read itself. */
  execution?: ExecutionRef;
  /** A 6-digit MFA code for the job's own role assumption: payload only, never logged or stored. */
  mfaCode?: string;
}

export interface LaunchResult {
  status: 'running' | 'succeeded' | 'failed' | 'accepted' | 'ended';
  details: LaunchDetails;
  /**
   * Set by a launcher that keeps the job itself (local: the child lives in the verifier process). The
   * launch answers `running` as soon as the job started, and this settles with the outcome when it ends
   * (never rejects), so the run record can be updated after the confirmation has answered.
   */
  ended?: Promise<LaunchResult>;
}

/**
 * Starts what a job describes. Returns what it started; throws a KeylaunchError (e.g. `launch_failed`,
 * `spot_price_too_high`) when nothing started or the job failed to run, so the run is recorded as failed.
 */
export interface Launcher {
  launch(request: LaunchRequest): Promise<LaunchResult>;
  /**
   * Where a run is now, asked of the service (EC2 instance state, SSM command status, …). Absent when a
   * launcher's answer at launch is final (local jobs, Lambda async invokes).
   */
  status?(details: LaunchDetails): Promise<LaunchResult>;
  /**
   * The job's output after `cursor` (issue 12 §3): from the local child's streams, CloudWatch Logs
   * (Lambda, ECS, SSM) or the service's status/history API (EC2, Step Functions). At most `limit` lines,
   * in the order they were written; `cursor` in the answer is where the next call continues.
   * Absent when a launcher has nothing to follow.
   */
  output?(details: LaunchDetails, request: OutputRequest): Promise<OutputPage>;
  /**
   * Stops a running run (issue 12 §4): SIGTERM then SIGKILL after a grace period for local jobs;
   * StopExecution, StopTask, CancelCommand, TerminateInstances for the AWS types. Resolves once the
   * service accepted the stop; throws a KeylaunchError (`cancel_failed`) when it did not. Absent when a
   * launcher's runs cannot be stopped (a Lambda async invoke).
   */
  cancel?(details: LaunchDetails, request: CancelRequest): Promise<void>;
}

/** One line of a job's output. `seq` orders lines across stdout and stderr (and across log events). */
export interface OutputLine {
  seq: number;
  stream: 'stdout' | 'stderr' | 'log' | 'event';
  text: string;
  at?: number; // epoch ms, when the service says
}

export interface OutputRequest {
  runId: string;
  /** Opaque; from the previous page. Absent: from the start of what is kept. */
  cursor?: string;
  limit: number;
}

export interface OutputPage {
  lines: OutputLine[];
  /** Opaque; pass it back to continue. Absent when `done`. */
  cursor?: string;
  /** No more output will come (the run ended and everything kept was read). */
  done: boolean;
  /** Lines were dropped to stay bounded (the full log stays where the service keeps it). */
  truncated: boolean;
}

export interface CancelRequest {
  runId: string;
  /** Who approved the cancel, for the service's own record (e.g. StopTask's reason). */
  cancelledBy: string;
  /** The cancel intent's fingerprint: an AWS launch role's session tag (issue 15 §3); else the launch's. */
  fingerprint?: string;
}

export interface Clock {
  now(): number; // epoch milliseconds
}

export interface Random {
  bytes(n: number): Buffer;
}

/** Issue 16 §3: where notifications go (backend/adapters/notify; core/notification.ts builds them): named destinations from the deploy settings or local config. */
export interface Notifier {
  /** Destinations every event goes to. A job adds its own `notify` names for its events. */
  everyEvent: readonly string[];
  /** The most a notification may add to a request: deliveries still going then are abandoned and logged. */
  boundMs: number;
  /** Delivers to one named destination; rejects with a NotifyFailure. */
  send(destination: string, notification: Notification): Promise<void>;
}
