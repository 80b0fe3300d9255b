import type { EnrollmentOptions } from '../../backend/core/enrollment';
import type { AddKeyOptions, NewKeyApproval } from '../../backend/core/keys';
import type { AdminOptions, AdminPerson, AdminResult, PendingInvite } from '../../backend/core/admin';
import type { AdminRequest } from '../../backend/core/adminActions';
import type { JobSummary } from '../../backend/core/queries';
import type { PreparedRun } from '../../backend/core/runs';
import type { RequestView } from '../../backend/core/requestViews';
import type { PublicKey } from '../../backend/core/views';
import type { AdminGrant, AuditEntry, Role, Run } from '../../backend/core/model';
import type { OutputPage } from '../../backend/core/ports';
import type { CancelOptions } from '../../backend/core/cancel';
import type { DecisionOptions } from '../../backend/core/decisions';
import type { AuthenticationResponseJSON, RegistrationResponseJSON, RequestOptions } from '../../backend/core/webauthn';

/**
 * The one contract between the renderer and the main process . The preload implements it
 * over IPC, main's handlers implement it over the verifier, and the renderer sees it as
 * `window.keylaunch`. Domain-level only: there is no generic request and no raw IPC passthrough.
 *
 * Errors cross IPC deliberately, as values: every method resolves to a DesktopResult.
 */
export type DesktopResult<T> = { ok: true; value: T } | { ok: false; error: DesktopError };

export interface DesktopError {
  /** A verifier code (docs/api.md), or one of the desktop's own: see DESKTOP_ERROR_CODES. */
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Codes the desktop adds to the verifier's. */
export const DESKTOP_ERROR_CODES = [
  'verifier_unreachable', 'certificate_mismatch', 'config_missing', 'config_invalid', 'config_locked', 'locked', 'bad_request',
  // The trusted review (issue 10 §2): declined in main's dialog, another one open, or a confirmation for an intent not accepted.
  'approval_declined', 'approval_pending', 'approval_not_accepted',
  // A confirmation whose answer was lost, and no run from it is recorded (yet): never sent again (issue 12).
  'run_outcome_unknown',
] as const;

export type ConfigState =
  | { state: 'ok'; verifierUrl: string; appOrigin: string; rpId: string; userName: string; mode: 'local' | 'remote' }
  | { state: 'missing' }
  | { state: 'invalid'; reason: string };

export interface SessionState {
  user: { id: string; name: string; role: Role };
  expiresAt: number;
  /** When the app locks itself if nothing happens (idle lock). */
  idleLockAt: number;
}

export interface DesktopStatus {
  config: ConfigState;
  session: SessionState | null;
}

/** `GET /v1/runs/{id}/output`: a page of a run's output, in order (docs/api.md). */
export type RunOutput = OutputPage & { consoleUrl?: string };

/** `POST /v1/runs/{id}/cancel/options`: a cancel intent bound to one run, to approve with a touch. */
export type { CancelOptions };

/** `GET /v1/requests` (issue 16): open requests this person may decide on (`waiting`), and their own (`mine`). */
export interface RequestLists {
  waiting: RequestView[];
  mine: RequestView[];
}
/** A decision on a pending request: one's own touch approves it, or rejects it (which ends it). */
export type Decision = 'approve' | 'reject';
export type { DecisionOptions };

export interface DesktopApi {
  status(): Promise<DesktopResult<DesktopStatus>>;
  /** Opens a file dialog in the main process; the renderer never sees a path or a file. */
  importConfig(): Promise<DesktopResult<DesktopStatus>>;

  startEnrollment(input: { inviteCode: string }): Promise<DesktopResult<EnrollmentOptions>>;
  finishEnrollment(input: { intentId: string; registration: RegistrationResponseJSON; label: string }): Promise<DesktopResult<{ user: { name: string; role: string } }>>;

  startUnlock(): Promise<DesktopResult<{ intentId: string; options: RequestOptions; expiresAt: number }>>;
  finishUnlock(input: { intentId: string; assertion: AuthenticationResponseJSON }): Promise<DesktopResult<SessionState>>;
  lock(): Promise<DesktopResult<null>>;
  /** Input in the window (typing, clicks): pushes the idle lock back. The session, or null when locked. */
  activity(): Promise<DesktopResult<SessionState | null>>;

  listJobs(): Promise<DesktopResult<{ jobs: JobSummary[] }>>;
  prepareRun(input: { job: string; params: Record<string, string | number | boolean> }): Promise<DesktopResult<PreparedRun>>;
  /** The run it launched; or, for a job that needs more people's approvals (issue 16), the pending request it opened. */
  confirmRun(input: { intentId: string; assertion: AuthenticationResponseJSON; secrets: Record<string, string | number | boolean>; mfaCode?: string }): Promise<DesktopResult<{ run: Run } | { request: RequestView }>>;
  /** With `intentId`: the run launched from that intent (at most one), e.g. after `run_outcome_unknown`. */
  listRuns(input: { limit?: number; cursor?: string; intentId?: string }): Promise<DesktopResult<{ runs: Run[]; cursor?: string }>>;
  getRun(input: { runId: string }): Promise<DesktopResult<{ run: Run }>>;
  /** A page of a run's output from `cursor` (issue 12 §3). Like getRun, polling it is not activity: it never holds off the idle lock. */
  runOutput(input: { runId: string; cursor?: string; limit?: number }): Promise<DesktopResult<RunOutput>>;
  /** A cancel intent for a running run; main shows which run and job it stops (its own review) before the options come back. */
  startCancelRun(input: { runId: string }): Promise<DesktopResult<CancelOptions>>;
  /** Sent only for the cancel intent main showed and the person accepted, to the run main reviewed. */
  finishCancelRun(input: { intentId: string; assertion: AuthenticationResponseJSON }): Promise<DesktopResult<{ run: Run }>>;
  /** Copies text to the clipboard (the page itself has no clipboard permission). */
  copyText(input: { text: string }): Promise<DesktopResult<boolean>>;
  /** Saves a run's output through main's save dialog; false when the person cancelled it. */
  saveOutput(input: { runId: string; text: string }): Promise<DesktopResult<boolean>>;

  listKeys(): Promise<DesktopResult<{ keys: PublicKey[] }>>;
  /** Adding a key: register the new one, main reviews exactly that key, then a touch of an existing key approves it. */
  startAddKey(): Promise<DesktopResult<AddKeyOptions>>;
  approveNewKey(input: { intentId: string; registration: RegistrationResponseJSON; label: string }): Promise<DesktopResult<NewKeyApproval>>;
  finishAddKey(input: { intentId: string; assertion: AuthenticationResponseJSON }): Promise<DesktopResult<{ key: PublicKey }>>;
  startRevokeKey(input: { credentialId: string; allowLastKey: boolean }): Promise<DesktopResult<{ intentId: string; approval: RequestOptions; fingerprint: string; expiresAt: number; key: { id: string; label: string } }>>;
  finishRevokeKey(input: { intentId: string; assertion: AuthenticationResponseJSON }): Promise<DesktopResult<{ key: PublicKey }>>;

  /** Administration (admins only; issue 15 §4): each change reviewed by main, then approved by a touch. */
  listPeople(): Promise<DesktopResult<{ people: AdminPerson[]; invites: PendingInvite[]; grants: AdminGrant[] }>>;
  startAdminAction(input: { action: AdminRequest }): Promise<DesktopResult<AdminOptions>>;
  finishAdminAction(input: { intentId: string; assertion: AuthenticationResponseJSON }): Promise<DesktopResult<AdminResult>>;
  /** `GET /v1/audit` (admins only): a page of the audit log, newest first, and the cursor to the older entries. */
  listAudit(input: { limit?: number; cursor?: string }): Promise<DesktopResult<{ entries: AuditEntry[]; cursor?: string }>>;

  /** Pending requests (issue 16): those waiting for this person's decision, and their own open ones. */
  listRequests(): Promise<DesktopResult<RequestLists>>;
  /** One request (its requester, its deciders and admins): a read, polled by the requester's pending panel. */
  getRequest(input: { requestId: string }): Promise<DesktopResult<{ request: RequestView }>>;
  /** A decision intent for one request; main shows the request as it will run (its own review) before the options come back. */
  startDecision(input: { requestId: string; decision: Decision }): Promise<DesktopResult<DecisionOptions>>;
  /** Sent only for the decision intent main showed and the person accepted, on the request and decision main reviewed. */
  finishDecision(input: { requestId: string; decision: Decision; intentId: string; assertion: AuthenticationResponseJSON }): Promise<DesktopResult<{ request: RequestView; run?: Run }>>;

  /** Opens an allowlisted external link (an AWS console page, the docs) in the system browser. */
  openExternal(input: { url: string }): Promise<DesktopResult<boolean>>;
  /** Main tells the renderer when it locked (idle timeout, session end). Returns an unsubscribe. */
  onLocked(listener: (reason: string) => void): () => void;
  /** Main asks to show a run (the person clicked its "run ended" notification). Returns an unsubscribe. */
  onShowRun(listener: (runId: string) => void): () => void;
  /** Main's request watcher: how many requests wait for this person, after each of its reads. Returns an unsubscribe. */
  onWaiting(listener: (count: number) => void): () => void;
  /** Main asks to show a waiting request (the person clicked its notification). Returns an unsubscribe. */
  onShowRequest(listener: (requestId: string) => void): () => void;
}

/** What main pushes to the renderer (not methods it calls). */
export const DESKTOP_EVENTS = ['onLocked', 'onShowRun', 'onWaiting', 'onShowRequest'] as const;
export type DesktopMethod = Exclude<keyof DesktopApi, (typeof DESKTOP_EVENTS)[number]>;

/** IPC channel names: the only place they are spelled. */
export const CHANNEL_PREFIX = 'keylaunch:';
export const channelOf = (method: DesktopMethod) => `${CHANNEL_PREFIX}${method}`;
export const LOCKED_EVENT = `${CHANNEL_PREFIX}locked`;
export const SHOW_RUN_EVENT = `${CHANNEL_PREFIX}showRun`;
export const WAITING_EVENT = `${CHANNEL_PREFIX}waiting`;
export const SHOW_REQUEST_EVENT = `${CHANNEL_PREFIX}showRequest`;

export const DESKTOP_METHODS: readonly DesktopMethod[] = [
  'status', 'importConfig', 'startEnrollment', 'finishEnrollment', 'startUnlock', 'finishUnlock', 'lock', 'activity',
  'listJobs', 'prepareRun', 'confirmRun', 'listRuns', 'getRun', 'runOutput', 'startCancelRun', 'finishCancelRun', 'copyText', 'saveOutput',
  'listKeys', 'startAddKey', 'approveNewKey', 'finishAddKey', 'startRevokeKey', 'finishRevokeKey', 'openExternal',
  'listPeople', 'startAdminAction', 'finishAdminAction', 'listAudit',
  'listRequests', 'getRequest', 'startDecision', 'finishDecision',
];
