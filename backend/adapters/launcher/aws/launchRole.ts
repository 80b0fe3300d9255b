import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { KeylaunchError } from '../../../core/errors';
import type { LaunchDetails } from '../../../core/model';
import type { CancelRequest, Launcher, LaunchRequest, OutputRequest } from '../../../core/ports';
import { DEFAULT_RETRY, launchError, withRetry, type RetryPolicy } from './awsLaunch';

/**
 * Issue 15 §3: every AWS call for a job goes through that job's own launch role (deploy generates one per
 * job, holding exactly its launch, follow and cancel permissions), assumed for the call with the
 * approving person as `SourceIdentity` and the run, job and fingerprint as session tags. CloudTrail then
 * shows who approved each RunInstances, Invoke, SendCommand, RunTask and StartExecution, and the role's
 * trust policy refuses a session without them. The verifier's own role may only assume these roles.
 */
export interface RoleSession {
  roleArn: string;
  /** The approving person's name: STS's SourceIdentity, kept on the session and everything it does. */
  sourceIdentity: string;
  runId: string;
  job: string;
  fingerprint: string;
}
/** What an SDK client takes as `credentials`: the assumed session's. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration?: Date;
}
export type AssumeLaunchRole = (session: RoleSession) => Promise<SessionCredentials>;

/** Short: a launch, a status poll or a cancel takes seconds. 900 s is the least STS grants. */
export const SESSION_SECONDS = 900;
/** The session tags the trust policies require (backend/deploy/launchRoles.ts asks for exactly these). */
export const SESSION_TAGS = { runId: 'RunId', job: 'JobName', fingerprint: 'Fingerprint' } as const;

/** STS's rules for SourceIdentity: 2–64 of letters, digits and _+=,.@- (and no `aws:` prefix). */
export function sourceIdentityOf(name: string): string {
  if (typeof name !== 'string' || !/^[\w+=,.@-]{2,64}$/.test(name) || /^aws:/i.test(name)) {
    throw new KeylaunchError('source_identity_invalid', `The name ${JSON.stringify(String(name).slice(0, 70))} cannot be AWS's source identity (2–64 letters, digits or _+=,.@-), so nothing was launched.`);
  }
  return name;
}

/** A session tag value as STS takes it (≤256 of letters, digits, spaces and _.:/=+-@). */
function tagValue(value: string, what: string): string {
  if (typeof value !== 'string' || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u.test(value)) throw new KeylaunchError('launch_failed', `The ${what} cannot be an AWS session tag, so nothing was launched.`);
  return value;
}

/**
 * AssumeRole with SourceIdentity and the three tags. Credentials are kept for their session's run,
 * person and fingerprint only (a status poll repeats the same session), never across persons or runs,
 * and never past a minute before they expire.
 */
export function createRoleAssumer(o: { client: STSClient; retry?: RetryPolicy; now?: () => number }): AssumeLaunchRole {
  const now = o.now ?? Date.now;
  const kept = new Map<string, { credentials: SessionCredentials; until: number }>();
  return async (s) => {
    const sourceIdentity = sourceIdentityOf(s.sourceIdentity);
    const tags = [
      { Key: SESSION_TAGS.runId, Value: tagValue(s.runId, 'run id') },
      { Key: SESSION_TAGS.job, Value: tagValue(s.job, 'job name') },
      { Key: SESSION_TAGS.fingerprint, Value: tagValue(s.fingerprint, 'fingerprint') },
    ];
    const key = JSON.stringify([s.roleArn, sourceIdentity, tags]);
    const hit = kept.get(key);
    if (hit && hit.until > now()) return hit.credentials;
    kept.delete(key);
    const out = await withRetry(o.retry ?? DEFAULT_RETRY, () =>
      o.client.send(
        new AssumeRoleCommand({
          RoleArn: s.roleArn,
          RoleSessionName: `keylaunch-${s.runId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64),
          SourceIdentity: sourceIdentity,
          Tags: tags,
          DurationSeconds: SESSION_SECONDS,
        }),
      ),
    ).catch((e) => {
      throw launchError(e);
    });
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new KeylaunchError('aws_answer_invalid', 'STS answered AssumeRole without credentials.');
    const expiration = c.Expiration instanceof Date && Number.isFinite(c.Expiration.getTime()) ? c.Expiration : undefined;
    const credentials: SessionCredentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, ...(expiration ? { expiration } : {}) };
    if (kept.size >= 200) kept.delete(kept.keys().next().value!);
    kept.set(key, { credentials, until: (expiration?.getTime() ?? now() + SESSION_SECONDS * 1000) - 60_000 });
    return credentials;
  };
}

/**
 * A launcher whose every call runs as the job's launch role: `make` builds the launcher (and its SDK
 * clients) around the assumed session's credentials, per call. What later calls need to assume the same
 * role (the role, the job, who launched, the fingerprint) is recorded in the run's launch details.
 */
export function assumingLauncher(o: {
  roles: Record<string, string>;
  assume: AssumeLaunchRole;
  make: (credentials: SessionCredentials) => Launcher;
  /** Which calls the launcher has (a Lambda async invoke has no cancel). */
  has: { status: boolean; output: boolean; cancel: boolean };
}): Launcher {
  const inner = o.has;
  const asLauncher = async (session: RoleSession) => o.make(await o.assume(session));

  /**
   * The role comes from this deploy's map by the run's job, never from the run record: a record is
   * stored data (and its strings pass the secret redaction, which can rewrite digits an MFA code shares
   * with an account id), and the role a job has now is the one that may follow or stop it.
   */
  const sessionOf = (details: LaunchDetails, who: string, runId: string, fingerprint?: string): RoleSession => {
    const { job, fingerprint: launched } = details;
    const roleArn = typeof job === 'string' ? o.roles[job] : undefined;
    if (!roleArn || typeof launched !== 'string') {
      throw new KeylaunchError('aws_answer_invalid', 'This run was not launched through a launch role this deploy has, so it cannot be followed or stopped as one.');
    }
    return { roleArn, sourceIdentity: who, runId, job: job as string, fingerprint: fingerprint ?? launched };
  };
  const launchedBy = (details: LaunchDetails) => String(details.launchedBy ?? '');
  const runIdOf = (details: LaunchDetails) => String(details.runId ?? '');

  return {
    async launch(request: LaunchRequest) {
      const roleArn = o.roles[request.job.name];
      if (!roleArn) throw new KeylaunchError('launch_failed', `Job ${request.job.name} has no launch role: deploy again (npm run deploy) so its role is made from the catalog.`);
      if (!request.fingerprint) throw new KeylaunchError('launch_failed', 'A launch needs the approved intent’s fingerprint for its session tags.');
      const session = { roleArn, sourceIdentity: request.requestedBy, runId: request.runId, job: request.job.name, fingerprint: request.fingerprint };
      const result = await (await asLauncher(session)).launch(request);
      const facts = { launchRole: roleArn, job: request.job.name, runId: request.runId, launchedBy: request.requestedBy, fingerprint: request.fingerprint };
      return { ...result, details: { ...result.details, ...facts } };
    },
    ...(inner.status ? { status: async (details: LaunchDetails) => (await asLauncher(sessionOf(details, launchedBy(details), runIdOf(details)))).status!(details) } : {}),
    ...(inner.output ? { output: async (details: LaunchDetails, r: OutputRequest) => (await asLauncher(sessionOf(details, launchedBy(details), r.runId))).output!(details, r) } : {}),
    ...(inner.cancel ? { cancel: async (details: LaunchDetails, r: CancelRequest) => (await asLauncher(sessionOf(details, r.cancelledBy, r.runId, r.fingerprint))).cancel!(details, r) } : {}),
  };
}

/** KEYLAUNCH_LAUNCH_ROLES from the function's environment (the deploy stack sets it): job name → role ARN. */
export function parseLaunchRoles(text: string | undefined): Record<string, string> {
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('keylaunch: KEYLAUNCH_LAUNCH_ROLES is not JSON (the deploy stack sets it).');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('keylaunch: KEYLAUNCH_LAUNCH_ROLES must map job names to role ARNs.');
  for (const [job, arn] of Object.entries(parsed)) {
    if (typeof arn !== 'string' || !/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(arn)) throw new Error(`keylaunch: KEYLAUNCH_LAUNCH_ROLES: ${job.slice(0, 64)} has no role ARN.`);
  }
  return parsed as Record<string, string>;
}
