/**
 * Every refusal the verifier can give, with its stable code and HTTP status.
 * The table is the single place codes map to statuses; docs/api.md lists the same codes.
 * Messages are ours: library messages are never echoed (they can contain the expected challenge).
 */
export const ERROR_STATUS = {
  bad_request: 400,
  params_invalid: 400,
  payload_too_large: 413,
  not_found: 404,
  ip_not_allowed: 403,
  /** A browser request from another site (Origin, Sec-Fetch-Site): the verifier is not a web API. */
  origin_not_allowed: 403,
  /** Local mode: the Host header is not the verifier's own loopback address (DNS rebinding). */
  host_not_allowed: 421,
  unsupported_media_type: 415,
  rate_limited: 429,
  invite_invalid: 403,
  user_exists: 409,
  challenge_unknown: 400,
  challenge_used: 409,
  challenge_expired: 410,
  credential_unknown: 401,
  credential_revoked: 401,
  credential_suspended: 401,
  counter_regression: 401,
  user_disabled: 403,
  verification_failed: 401,
  session_invalid: 401,
  session_expired: 401,
  /** The desktop is older than the verifier's minDesktopVersion (details.minimumVersion): install a newer one. */
  client_outdated: 426,
  not_authorized: 403,
  last_key: 409,
  /** Granting admin while more than one admin exists takes a second admin's approval (issue 15 §4). */
  second_approval_required: 409,
  job_unknown: 404,
  job_unavailable: 409,
  job_config_changed: 409,
  spot_price_too_high: 409,
  // Issue 16: pending requests and their approvals (docs/api.md "Approvals").
  approval_unknown: 404,
  approval_not_eligible: 403,
  approval_self: 403,
  approval_duplicate: 409,
  approval_mismatch: 409,
  approval_closed: 409,
  approval_expired: 410,
  approval_rejected: 409,
  approval_job_changed: 409,
  approval_approver_invalid: 409,
  approval_request_changed: 409,
  approval_busy: 503,
  /** Issue 16 §2: no, an unknown, wrong, expired or revoked proposer token. */
  proposer_invalid: 401,
  /** The proposer token does not name this job, or the job cannot be proposed (secrets, an MFA code). */
  proposer_not_allowed: 403,
  launch_failed: 502,
  /** Cancel (issue 12 §4): the run has ended (or was never started); there is nothing to stop. */
  run_not_running: 409,
  /** Cancel: runs of this kind cannot be stopped from keylaunch (a Lambda async invoke). */
  cancel_unsupported: 409,
  /** Cancel: the launcher or its service refused or failed to stop the run; it may still be running. */
  cancel_failed: 502,
  /** The service keeping a run's output (CloudWatch Logs…) could not be asked. */
  output_unavailable: 502,
  // Why a launch failed, as recorded on the run (the confirmation itself answers 200 with the run):
  access_denied: 502,
  throttled: 502,
  insufficient_capacity: 502,
  launch_template_missing: 502,
  function_not_found: 502,
  /** The launcher's person name cannot be an STS SourceIdentity (2–64 of letters, digits and _+=,.@-): nothing launched. */
  source_identity_invalid: 422,
  /** AWS answered a status, output or cancel call with something malformed or missing, or the run's record lacks what the call needs. */
  aws_answer_invalid: 502,
  storage_unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class KeylaunchError extends Error {
  readonly code: ErrorCode;
  /** Extra, safe-to-return facts (e.g. both prices for spot_price_too_high). Never secrets. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause });
    this.name = 'KeylaunchError';
    this.code = code;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const isKeylaunchError = (e: unknown): e is KeylaunchError => e instanceof KeylaunchError;

/** The error body every refusal carries: `{ error: { code, message } }` (docs/security.md, property 11). */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export function errorBody(e: KeylaunchError): ErrorBody {
  return { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
}
