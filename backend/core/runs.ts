import { KeylaunchError, isKeylaunchError } from './errors';
import { activeCredential, commitCounter, consumeChallenge, isActive, issueChallenge } from './approval';
import { authorize, availableJob, describeTarget } from './authorize';
import { canonicalJson } from './canonicalJson';
import { fingerprint } from './intent';
import { timeOrderedId } from './ids';
import { validateParams } from './params';
import { loadSession } from './sessionGuard';
import { redactSecrets } from './redact';
import { recordRun } from './runRecord';
import { launchRecorded } from './launchRun';
import { requestOptions, verifyAssertion, type AuthenticationResponseJSON, type RequestOptions } from './webauthn';
import type { RequestContext, VerifierDeps } from './deps';
import type { ParamValue, Run, RunIntent } from './model';
import type { LaunchResult } from './ports';
import { openRequest } from './requests';
import type { RequestView } from './requestViews';

/** Run approval (docs/architecture.md "A run, step by step"): prepare binds an intent; confirm launches it once. */

export interface PreparedRun {
  intentId: string;
  options: RequestOptions;
  fingerprint: string;
  expiresAt: number;
  /** `target` is what will run, with this run's parameters filled in. */
  job: { name: string; title: string; type: string; target: string };
  params: Record<string, ParamValue>;
  /** Each parameter's label (its title, else its name), secret ones included: the desktop's review shows these. */
  labels: Record<string, string>;
  /** Secret parameters to send with the confirmation. */
  secretParams: string[];
  /** `required`: send a 6-digit `mfaCode` with the confirmation. */
  mfaCode: 'required' | 'none';
}

export async function prepareRun(
  deps: VerifierDeps,
  ctx: RequestContext,
  input: { job: string; params: Record<string, unknown> },
): Promise<PreparedRun> {
  ctx.facts.job = input.job;
  const [, session, entry] = await Promise.all([ctx.gate, loadSession(deps, ctx), deps.catalog.getJob(input.job)]);
  const { job, versions } = availableJob(entry, input.job);
  authorize(job, session.user);
  const params = validateParams(job.params, input.params, 'plain');
  const keys = session.credentials.filter(isActive);
  const now = deps.clock.now();
  const intent: RunIntent = {
    v: 1,
    purpose: 'run',
    job: job.name,
    params,
    secretParams: job.params.filter((p) => p.secret).map((p) => p.name),
    configVersions: versions,
    userId: session.user.id,
    allowCredentials: keys.map((k) => k.id),
    userVerification: job.userVerification,
    ...(job.approvals ? { approvals: job.approvals } : {}), // issue 16: signed, so the receipt shows the rule
    origin: deps.config.origins,
    rpId: deps.config.rpId,
    expiresAt: now + deps.config.runChallengeTtlSeconds * 1000,
  };
  const record = await issueChallenge(deps, intent);
  ctx.facts.fingerprint = fingerprint(intent, record.intentHash);
  const options = await requestOptions({
    rpId: deps.config.rpId,
    challenge: record.challenge,
    allow: keys,
    userVerification: job.userVerification,
    timeoutMs: intent.expiresAt - now,
  });
  return {
    intentId: record.intentId,
    options,
    fingerprint: ctx.facts.fingerprint,
    expiresAt: intent.expiresAt,
    job: { name: job.name, title: job.title, type: job.type, target: describeTarget(job, params) },
    params,
    labels: Object.fromEntries(job.params.map((p) => [p.name, p.title ?? p.name])),
    secretParams: intent.secretParams,
    mfaCode: job.mfaCode,
  };
}

export async function confirmRun(
  deps: VerifierDeps,
  ctx: RequestContext,
  input: { intentId: string; assertion: AuthenticationResponseJSON; secrets: Record<string, unknown>; mfaCode?: string },
): Promise<{ run: Run } | { request: RequestView }> {
  // One round trip: the rate-limit gate, the session's user and keys, and the single-use consume.
  const [, session, record] = await Promise.all([ctx.gate, loadSession(deps, ctx), consumeChallenge(deps, input.intentId, 'run')]);
  const intent = record.intent as RunIntent;
  const hash = record.intentHash;
  ctx.facts.job = intent.job;
  ctx.facts.fingerprint = fingerprint(intent, hash);
  ctx.facts.credentialId = input.assertion.id;
  if (intent.userId !== session.user.id) throw new KeylaunchError('not_authorized', 'This approval belongs to another user.');
  const credential = activeCredential(session.user, session.credentials, input.assertion.id, intent.allowCredentials);
  const runId = timeOrderedId('run_', deps.clock, deps.random);
  const [entry, verified] = await Promise.all([
    deps.catalog.getJob(intent.job, { fresh: true }),
    verifyAssertion({
      response: input.assertion,
      challenge: record.challenge,
      origins: deps.config.origins,
      rpId: deps.config.rpId,
      credential,
      requireUserVerification: intent.userVerification === 'required',
    }),
  ]);
  // §8: the job launched is the job approved, at the versions approved.
  if (!entry || canonicalJson(entry.versions) !== canonicalJson(intent.configVersions)) {
    throw new KeylaunchError('job_config_changed', `Job ${intent.job} changed after you approved it; review and approve again.`);
  }
  const { job } = availableJob(entry, intent.job);
  authorize(job, session.user);
  const secrets = validateParams(job.params, input.secrets, 'secret');
  const mfaCode = checkMfaCode(job.mfaCode, input.mfaCode);
  // Everything secret, for scrubbing what launchers report back (docs/security.md, property 13).
  const scrub = mfaCode ? { ...secrets, mfaCode } : secrets;
  // Issue 16: a job that needs more people's touches opens a pending request instead of launching.
  if (job.approvals) return openRequest(deps, ctx, { record, user: session.user, credential, assertion: input.assertion, newCounter: verified.newCounter, rule: job.approvals });

  const now = deps.clock.now();
  const run: Run = {
    id: runId,
    job: job.name,
    params: { ...intent.params, ...Object.fromEntries(intent.secretParams.map((n) => [n, '[secret]' as const])) },
    intentHash: hash.toString('hex'),
    fingerprint: ctx.facts.fingerprint,
    configVersions: intent.configVersions,
    userId: session.user.id,
    userName: session.user.name,
    credentialId: credential.id,
    sourceIp: ctx.sourceIp,
    status: 'launching',
    intentId: input.intentId,
    createdAt: now,
    updatedAt: now,
    receipt: {
      credentialId: input.assertion.id,
      authenticatorData: input.assertion.response.authenticatorData,
      clientDataJSON: input.assertion.response.clientDataJSON,
      signature: input.assertion.response.signature,
      ...(input.assertion.response.userHandle ? { userHandle: input.assertion.response.userHandle } : {}),
      nonce: record.nonce,
    },
    // docs/security.md, property 18: with the nonce, enough to re-verify the approval once the challenge record expires.
    intent: canonicalJson(intent),
  };
  ctx.facts.runId = run.id;

  // §12: the run exists (as `launching`) before anything launches; a storage failure here launches nothing.
  // One round trip: the counter, the intent's claim (one run per intent) and the run itself. If the
  // counter or the claim fails, nothing launches and a run already written says why.
  const [counter, claimed, created] = await Promise.allSettled([
    commitCounter(deps, ctx, credential, verified.newCounter),
    deps.store.reserveRun(input.intentId, runId),
    deps.store.createRun(run),
  ]);
  const refused = counter.status === 'rejected' ? counter.reason : claimed.status === 'rejected' ? claimed.reason : undefined;
  if (refused !== undefined) {
    // Before the launch, what is not a refusal of ours is the store failing (the counter, the claim).
    const notLaunched = isKeylaunchError(refused) ? refusedBy(refused) : { status: 'failed' as const, failure: { code: 'storage_unavailable', message: 'Storage failed before the launch; nothing was launched.' } };
    if (created.status === 'fulfilled') await recordRun(deps, run, notLaunched);
    throw refused;
  }
  if (created.status === 'rejected') throw created.reason;

  await launchRecorded(deps, run, {
    runId: run.id,
    job,
    params: intent.params,
    secrets,
    requestedBy: session.user.name,
    fingerprint: ctx.facts.fingerprint,
    configVersions: intent.configVersions,
    ...(entry.available && entry.execution ? { execution: entry.execution } : {}),
    ...(mfaCode ? { mfaCode } : {}),
  }, scrub);
  if (run.status === 'failed') ctx.facts.detail = `launch failed: ${run.failure?.code}`;
  // A copy: the run object goes on changing when a kept job ends, after this answer.
  return { run: { ...run } };
}

export function outcomeOf(result: LaunchResult, scrub: Record<string, ParamValue>): Pick<Run, 'status' | 'failure' | 'launch'> {
  const launch = redactSecrets(result.details, scrub);
  return { status: result.status, launch, ...(result.status === 'failed' ? { failure: { code: 'job_failed', message: launch.summary } } : {}) };
}

/** docs/security.md, property 13 and the MFA pass-through: a 6-digit code, only when the job asks for one. */
function checkMfaCode(policy: 'required' | 'none', code: string | undefined): string | undefined {
  if (policy === 'none') {
    if (code !== undefined) throw new KeylaunchError('params_invalid', 'This job takes no MFA code.', { details: { fields: { mfaCode: 'not taken by this job' } } });
    return undefined;
  }
  if (code === undefined || !/^\d{6}$/.test(code)) {
    throw new KeylaunchError('params_invalid', 'This job needs your 6-digit MFA code.', { details: { fields: { mfaCode: 'six digits' } } });
  }
  return code;
}

export function refusedBy(error: unknown, secrets: Record<string, ParamValue> = {}): Pick<Run, 'status' | 'failure' | 'launch'> {
  const known = isKeylaunchError(error);
  const failure = {
    code: known ? error.code : 'launch_failed',
    message: redactSecrets(known ? error.message : 'The launcher failed unexpectedly.', secrets),
  };
  const launch = known && error.details?.launch ? redactSecrets(error.details.launch as Run['launch'], secrets) : undefined;
  return { status: 'failed', failure, ...(launch ? { launch } : {}) };
}

