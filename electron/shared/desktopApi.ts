import type { EnrollmentOptions } from '../../backend/core/enrollment';
import type { AddKeyOptions } from '../../backend/core/keys';
import type { JobSummary } from '../../backend/core/queries';
import type { PreparedRun } from '../../backend/core/runs';
import type { PublicKey } from '../../backend/core/views';
import type { Role, Run } from '../../backend/core/model';
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
  confirmRun(input: { intentId: string; assertion: AuthenticationResponseJSON; secrets: Record<string, string | number | boolean>; mfaCode?: string }): Promise<DesktopResult<{ run: Run }>>;
  /** With `intentId`: the run launched from that intent (at most one), e.g. after `run_outcome_unknown`. */
  listRuns(input: { limit?: number; cursor?: string; intentId?: string }): Promise<DesktopResult<{ runs: Run[]; cursor?: string }>>;
  getRun(input: { runId: string }): Promise<DesktopResult<{ run: Run }>>;

  listKeys(): Promise<DesktopResult<{ keys: PublicKey[] }>>;
  startAddKey(): Promise<DesktopResult<AddKeyOptions>>;
  finishAddKey(input: { intentId: string; assertion: AuthenticationResponseJSON; registration: RegistrationResponseJSON; label: string }): Promise<DesktopResult<{ key: PublicKey }>>;
  startRevokeKey(input: { credentialId: string; allowLastKey: boolean }): Promise<DesktopResult<{ intentId: string; approval: RequestOptions; fingerprint: string; expiresAt: number; key: { id: string; label: string } }>>;
  finishRevokeKey(input: { intentId: string; assertion: AuthenticationResponseJSON }): Promise<DesktopResult<{ key: PublicKey }>>;

  /** Opens an allowlisted external link (an AWS console page, the docs) in the system browser. */
  openExternal(input: { url: string }): Promise<DesktopResult<boolean>>;
  /** Main tells the renderer when it locked (idle timeout, session end). Returns an unsubscribe. */
  onLocked(listener: (reason: string) => void): () => void;
}

export type DesktopMethod = Exclude<keyof DesktopApi, 'onLocked'>;

/** IPC channel names: the only place they are spelled. */
export const CHANNEL_PREFIX = 'keylaunch:';
export const channelOf = (method: DesktopMethod) => `${CHANNEL_PREFIX}${method}`;
export const LOCKED_EVENT = `${CHANNEL_PREFIX}locked`;

export const DESKTOP_METHODS: readonly DesktopMethod[] = [
  'status', 'importConfig', 'startEnrollment', 'finishEnrollment', 'startUnlock', 'finishUnlock', 'lock', 'activity',
  'listJobs', 'prepareRun', 'confirmRun', 'listRuns', 'getRun',
  'listKeys', 'startAddKey', 'finishAddKey', 'startRevokeKey', 'finishRevokeKey', 'openExternal',
];
