import { randomId } from './ids';
import type { VerifierDeps } from './deps';
import type { JobDefinition } from './job';
import type { AdminAction, ApprovalRequest, Run } from './model';
import type { Notifier } from './ports';

/**
 * Outbound notifications (issue 16 §3; docs/notifications.md): a request waiting, a run launched or
 * failed, a key added, revoked or suspended, a person disabled. A notification carries no approval power:
 * it names what happened (ids, job, fingerprint, people's names, time), never parameters, secrets, tokens
 * or a link that acts. Each event is built field by field from the constructors below, never by spreading
 * a request or a run, so a field added to those records cannot reach a receiver by accident.
 */
export type NotificationType = 'request.waiting' | 'run.launched' | 'run.failed' | 'key.added' | 'key.revoked' | 'key.suspended' | 'user.disabled';

export interface NotificationFacts {
  type: NotificationType;
  job?: string;
  requestId?: string;
  runId?: string;
  fingerprint?: string;
  /** Who asked for the run (a person's name, or `proposer:<name>`). */
  requester?: string;
  /** The person a key or account event is about. */
  user?: string;
  /** Who did it, when not `user` (an admin). */
  by?: string;
  keyId?: string;
  /** run.failed: the stable failure code (docs/api.md), never its message. */
  code?: string;
}

export interface Notification extends NotificationFacts {
  v: 1;
  /** Unique per event: a receiver drops a delivery whose id it has seen (replays). */
  id: string;
  /** ISO 8601, UTC. */
  at: string;
}

/** Why a delivery failed: stable, for the log line and a metric filter. */
export type NotifyFailureReason = 'timeout' | 'unreachable' | 'refused_address' | 'http_status' | 'aws_error' | 'unknown_destination' | 'secret_unavailable';

export class NotifyFailure extends Error {
  constructor(
    readonly reason: NotifyFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NotifyFailure';
  }
}

/**
 * Delivers one event to every destination it goes to, in parallel, and resolves within the notifier's
 * bound whatever they do: a notification never fails or holds up what it reports. A failed delivery is
 * one log line with a stable reason (not an audit entry: see docs/notifications.md, "Failures").
 */
export async function announce(deps: Pick<VerifierDeps, 'notifier' | 'clock' | 'random' | 'log'>, facts: NotificationFacts | undefined, job?: Pick<JobDefinition, 'notify'>): Promise<void> {
  const notifier = deps.notifier;
  if (!notifier || !facts) return;
  const names = [...new Set([...notifier.everyEvent, ...(job?.notify ?? [])])];
  if (!names.length) return;
  const notification: Notification = { v: 1, id: randomId('evt_', deps.random, 12), at: new Date(deps.clock.now()).toISOString(), ...facts };
  const failed = (name: string, error: unknown) => {
    const reason = error instanceof NotifyFailure ? error.reason : 'unreachable';
    deps.log(`notify.failed destination=${name} event=${facts.type} reason=${reason}`, error instanceof NotifyFailure ? (error.cause ?? error.message) : error);
  };
  await Promise.all(
    names.map((name) =>
      within(notifier.boundMs, () => notifier.send(name, notification)).catch((error: unknown) => failed(name, error)),
    ),
  );
}

function within(ms: number, start: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NotifyFailure('timeout', `no answer within ${ms} ms`)), ms);
    timer.unref?.();
  });
  // `start` may throw synchronously: it is still a failed delivery, not a failed request.
  return Promise.race([Promise.resolve().then(start), late]).finally(() => clearTimeout(timer));
}

/** A run as it launched (or failed to): `run.failed` with its code, else `run.launched`. */
export function runNotice(run: Pick<Run, 'id' | 'job' | 'fingerprint' | 'userName' | 'requestId' | 'status' | 'failure'>): NotificationFacts {
  const failed = run.status === 'failed';
  return {
    type: failed ? 'run.failed' : 'run.launched',
    job: run.job,
    runId: run.id,
    ...(run.requestId ? { requestId: run.requestId } : {}),
    fingerprint: run.fingerprint,
    requester: run.userName,
    ...(failed && run.failure ? { code: run.failure.code } : {}),
  };
}

/** A request now waiting for approvals (opened by a person's touch, or proposed). */
export function requestNotice(r: Pick<ApprovalRequest, 'id' | 'job' | 'fingerprint' | 'requesterName'>): NotificationFacts {
  return { type: 'request.waiting', job: r.job, requestId: r.id, fingerprint: r.fingerprint, requester: r.requesterName };
}

/** What an admin's action is worth telling: a key revoked, a person disabled; nothing for the rest. */
export function adminNotice(a: AdminAction, by: string): NotificationFacts | undefined {
  if (a.kind === 'revoke_key') return { type: 'key.revoked', user: a.userName, keyId: a.credentialId, by };
  if (a.kind === 'disable') return { type: 'user.disabled', user: a.userName, by };
  return undefined;
}
