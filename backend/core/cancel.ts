import { KeylaunchError, isKeylaunchError } from './errors';
import { activeCredential, commitCounter, consumeChallenge, isActive, issueChallenge } from './approval';
import { authorize, availableJob, describeTarget } from './authorize';
import { fingerprint } from './intent';
import { loadSession } from './sessionGuard';
import { isUnsettled, keptRun, recordRun } from './runRecord';
import { requestOptions, verifyAssertion, type AuthenticationResponseJSON, type RequestOptions } from './webauthn';
import type { RequestContext, VerifierDeps } from './deps';
import type { CancelIntent, Run } from './model';
import type { Launcher } from './ports';

/**
 * Cancel with a touch (issue 12 §4; docs/security.md, property 19): a person allowed to run a job may
 * stop its running run, approving an intent bound to that one run exactly as they approve a launch.
 */

export interface CancelOptions {
  intentId: string;
  options: RequestOptions;
  fingerprint: string;
  expiresAt: number;
  /** What the touch stops, for the review: the run as it is now, and its job. */
  run: Pick<Run, 'id' | 'job' | 'status' | 'userName' | 'fingerprint' | 'createdAt' | 'startedAt'>;
  job: { name: string; title: string; type: string; target: string };
}

export async function startCancel(deps: VerifierDeps, ctx: RequestContext, input: { runId: string }): Promise<CancelOptions> {
  ctx.facts.runId = input.runId;
  const [, session, run] = await Promise.all([ctx.gate, loadSession(deps, ctx), deps.store.getRun(input.runId)]);
  if (!run) throw new KeylaunchError('not_found', `No run ${input.runId}.`);
  ctx.facts.job = run.job;
  const job = await allowedJob(deps, run, session.user);
  const launch = stoppable(deps, run);
  const keys = session.credentials.filter(isActive);
  const now = deps.clock.now();
  const intent: CancelIntent = {
    v: 1,
    purpose: 'cancel',
    runId: run.id,
    job: run.job,
    runIntentHash: run.intentHash,
    userId: session.user.id,
    allowCredentials: keys.map((k) => k.id),
    userVerification: job.userVerification,
    origin: deps.config.origins,
    rpId: deps.config.rpId,
    expiresAt: now + deps.config.runChallengeTtlSeconds * 1000,
  };
  const record = await issueChallenge(deps, intent);
  ctx.facts.fingerprint = fingerprint(intent, record.intentHash);
  ctx.facts.detail = `cancel ${launch.summary}`.slice(0, 200);
  const options = await requestOptions({ rpId: deps.config.rpId, challenge: record.challenge, allow: keys, userVerification: job.userVerification, timeoutMs: intent.expiresAt - now });
  return {
    intentId: record.intentId,
    options,
    fingerprint: ctx.facts.fingerprint,
    expiresAt: intent.expiresAt,
    run: { id: run.id, job: run.job, status: run.status, userName: run.userName, fingerprint: run.fingerprint, createdAt: run.createdAt, ...(run.startedAt !== undefined ? { startedAt: run.startedAt } : {}) },
    job: { name: job.name, title: job.title, type: job.type, target: describeTarget(job, run.params) },
  };
}

export async function finishCancel(
  deps: VerifierDeps,
  ctx: RequestContext,
  input: { runId: string; intentId: string; assertion: AuthenticationResponseJSON },
): Promise<{ run: Run }> {
  ctx.facts.runId = input.runId;
  const [, session, record] = await Promise.all([ctx.gate, loadSession(deps, ctx), consumeChallenge(deps, input.intentId, 'cancel')]);
  const intent = record.intent as CancelIntent;
  ctx.facts.fingerprint = fingerprint(intent, record.intentHash);
  ctx.facts.credentialId = input.assertion.id;
  ctx.facts.job = intent.job;
  if (intent.runId !== input.runId) throw new KeylaunchError('challenge_unknown', 'This approval is for another run.');
  if (intent.userId !== session.user.id) throw new KeylaunchError('not_authorized', 'This approval belongs to another user.');
  const credential = activeCredential(session.user, session.credentials, input.assertion.id, intent.allowCredentials);
  const [run, verified] = await Promise.all([
    deps.store.getRun(input.runId),
    verifyAssertion({
      response: input.assertion,
      challenge: record.challenge,
      origins: deps.config.origins,
      rpId: deps.config.rpId,
      credential,
      requireUserVerification: intent.userVerification === 'required',
    }),
  ]);
  // The run approved is the run stopped: the same id, launched from the same intent.
  if (!run || run.intentHash !== intent.runIntentHash) throw new KeylaunchError('not_found', `No run ${input.runId}.`);
  await commitCounter(deps, ctx, credential, verified.newCounter);
  await allowedJob(deps, run, session.user); // again at the touch: a person removed from the job stops nothing
  // The one this process is following, if it is (a local child): what it says now, not the stored copy.
  const live = keptRun(run.id) ?? run;
  const launch = stoppable(deps, live);
  try {
    await launch.launcher.cancel!(launch.details, { runId: run.id, cancelledBy: session.user.name, fingerprint: ctx.facts.fingerprint });
  } catch (error) {
    if (isKeylaunchError(error) && error.code === 'run_not_running') throw error;
    if (!isKeylaunchError(error) || error.cause) deps.log(`run ${run.id} (${run.job}): cancel failed`, isKeylaunchError(error) ? error.cause : error);
    ctx.facts.detail = `cancel failed: ${isKeylaunchError(error) ? error.message : 'the launcher failed unexpectedly'}`.slice(0, 300);
    throw new KeylaunchError('cancel_failed', 'The run could not be stopped; it may still be running.', { cause: error });
  }
  const cancelledBy = { userId: session.user.id, userName: session.user.name, at: deps.clock.now(), fingerprint: ctx.facts.fingerprint };
  await recordRun(deps, live, { status: 'cancelled', cancelledBy });
  ctx.facts.detail = `cancelled ${run.job} run ${run.id}`;
  return { run: { ...live } };
}

/** Stopping a run needs the right to run its job, under the job's definition as it is now. */
async function allowedJob(deps: VerifierDeps, run: Run, user: Parameters<typeof authorize>[1]) {
  const { job } = availableJob(await deps.catalog.getJob(run.job, { fresh: true }), run.job);
  authorize(job, user);
  return job;
}

/** A run that is still going, started by a launcher that can stop it. */
function stoppable(deps: VerifierDeps, run: Run): { launcher: Launcher; details: NonNullable<Run['launch']>; summary: string } {
  if (!isUnsettled(run.status) || !run.launch) throw new KeylaunchError('run_not_running', `This run is ${run.status}: there is nothing to stop.`);
  const launcher = deps.launchers[run.launch.launcher as keyof typeof deps.launchers];
  if (!launcher?.cancel) throw new KeylaunchError('cancel_unsupported', `Runs of this kind (${run.launch.launcher}) cannot be stopped from keylaunch.`);
  return { launcher, details: run.launch, summary: `${run.job} run ${run.id}` };
}
