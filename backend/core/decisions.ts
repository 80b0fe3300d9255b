import { KeylaunchError } from './errors';
import { activeCredential, commitCounter, consumeChallenge, isActive, issueChallenge } from './approval';
import { mayRun } from './authorize';
import { ruleSatisfied } from './approvalRule';
import { canonicalJson } from './canonicalJson';
import { intentHash } from './intent';
import { timeOrderedId } from './ids';
import { loadSession } from './sessionGuard';
import { launchRequest } from './launchRequest';
import { mayDecide, receiptOf } from './requests';
import { requestView, type RequestView } from './requestViews';
import { requestOptions, verifyAssertion, type AuthenticationResponseJSON, type RequestOptions } from './webauthn';
import type { RequestContext, VerifierDeps } from './deps';
import type { CatalogEntry, JobDefinition } from './job';
import type { ApprovalRecord, ApprovalRequest, Credential, DecisionIntent, Run, RunIntent, User } from './model';
import type { RequestChanges } from './ports';

/**
 * Approving or rejecting a pending request with one's own touch (issue 16 §1; docs/security.md
 * "Approvals"). Each decision is its own challenge, `keylaunch/approve/v1` or `keylaunch/reject/v1`, over
 * the request's intent hash and a fresh nonce, so no assertion can stand in for another person's, for
 * another request, or for the other decision. Decisions on one request serialize on its version.
 */
export type Decision = DecisionIntent['purpose'];

export interface DecisionOptions {
  intentId: string;
  options: RequestOptions;
  /** The request's fingerprint: the same code the requester compared. */
  fingerprint: string;
  expiresAt: number;
  request: RequestView;
}

/** Conflicting writes are other people's decisions landing first; each loop reads the request again. */
const MAX_ATTEMPTS = 64;

export async function decisionOptions(deps: VerifierDeps, ctx: RequestContext, input: { requestId: string }, decision: Decision): Promise<DecisionOptions> {
  const [, session, request] = await Promise.all([ctx.gate, loadSession(deps, ctx), deps.store.getRequest(input.requestId)]);
  if (!request) throw new KeylaunchError('approval_unknown', `No request ${input.requestId}.`);
  const entry = await deps.catalog.getJob(request.job);
  const job = entry?.available ? entry.job : undefined;
  ctx.facts.job = request.job;
  ctx.facts.fingerprint = request.fingerprint;
  const now = deps.clock.now();
  checkDecider(request, job, session.user, decision);
  checkOpen(request, now);
  if (decision === 'approve' && job) await checkProposalRunner(deps, request, [...request.approvals, { userId: session.user.id, groups: session.user.groups ?? [] }], job, session.user);
  const keys = session.credentials.filter(isActive);
  const userVerification = (JSON.parse(request.intent) as RunIntent).userVerification;
  const intent: DecisionIntent = {
    v: 1,
    purpose: decision,
    requestId: request.id,
    requestHash: request.intentHash,
    userId: session.user.id,
    allowCredentials: keys.map((k) => k.id),
    userVerification,
    origin: deps.config.origins,
    rpId: deps.config.rpId,
    expiresAt: Math.min(now + deps.config.runChallengeTtlSeconds * 1000, request.expiresAt),
  };
  const record = await issueChallenge(deps, intent);
  const options = await requestOptions({ rpId: deps.config.rpId, challenge: record.challenge, allow: keys, userVerification, timeoutMs: intent.expiresAt - now });
  return { intentId: record.intentId, options, fingerprint: request.fingerprint, expiresAt: intent.expiresAt, request: requestView(request, entry, now) };
}

export async function verifyDecision(
  deps: VerifierDeps,
  ctx: RequestContext,
  input: { requestId: string; intentId: string; assertion: AuthenticationResponseJSON },
  decision: Decision,
): Promise<{ request: RequestView; run?: Run }> {
  const [, session, record] = await Promise.all([ctx.gate, loadSession(deps, ctx), consumeChallenge(deps, input.intentId, decision)]);
  const intent = record.intent as DecisionIntent;
  ctx.facts.credentialId = input.assertion.id;
  // An approval for request A is useless for B: it names A, and its challenge is derived from A's hash.
  if (intent.requestId !== input.requestId) throw new KeylaunchError('approval_mismatch', 'This approval was asked for another request.');
  if (intent.userId !== session.user.id) throw new KeylaunchError('not_authorized', 'This approval belongs to another user.');
  const credential = activeCredential(session.user, session.credentials, input.assertion.id, intent.allowCredentials);
  const [request, verified] = await Promise.all([
    deps.store.getRequest(intent.requestId),
    verifyAssertion({ response: input.assertion, challenge: record.challenge, origins: deps.config.origins, rpId: deps.config.rpId, credential, requireUserVerification: intent.userVerification === 'required' }),
  ]);
  if (!request) throw new KeylaunchError('approval_unknown', `No request ${intent.requestId}.`);
  ctx.facts.job = request.job;
  ctx.facts.fingerprint = request.fingerprint;
  checkIntact(request, intent);
  await commitCounter(deps, ctx, credential, verified.newCounter);
  const entry = await deps.catalog.getJob(request.job, { fresh: true });
  const mine: ApprovalRecord = {
    userId: session.user.id,
    userName: session.user.name,
    groups: session.user.groups ?? [],
    credentialId: credential.id,
    at: deps.clock.now(),
    intent: canonicalJson(intent),
    receipt: receiptOf(input.assertion, record.nonce),
  };
  return settle(deps, ctx, request, entry, session.user, mine, decision);
}

/** Records one decision, reading the request again whenever another decision was written first. */
async function settle(deps: VerifierDeps, ctx: RequestContext, first: ApprovalRequest, entry: CatalogEntry | undefined, user: User, mine: ApprovalRecord, decision: Decision) {
  let r: ApprovalRequest | undefined = first;
  for (let attempt = 0; attempt < MAX_ATTEMPTS && r; attempt++) {
    const now = deps.clock.now();
    const job = entry?.available ? entry.job : undefined;
    checkDecider(r, job, user, decision);
    checkOpen(r, now);
    const write = (changes: Omit<RequestChanges, 'updatedAt' | 'approvals'> & Partial<Pick<RequestChanges, 'approvals'>>) =>
      deps.store.updateRequest(r!.id, r!.version, { approvals: r!.approvals, ...changes, updatedAt: now });
    const view = (changes: Partial<ApprovalRequest>) => ({ request: requestView({ ...r!, ...changes }, entry, now) });

    if (decision === 'reject') {
      const end = { code: 'approval_rejected', message: `${user.name} rejected the request.`, at: now };
      if (await write({ status: 'rejected', rejectedBy: mine, end })) return view({ status: 'rejected', rejectedBy: mine, end });
    } else if (!job || canonicalJson(entry!.versions) !== canonicalJson(r.configVersions)) {
      // The job changed (or went away) since it was requested: what was approved can no longer run.
      const end = { code: 'approval_job_changed', message: `Job ${r.job} changed after it was requested; request it again.`, at: now };
      if (await write({ status: 'ended', end })) throw new KeylaunchError('approval_job_changed', end.message);
    } else {
      const approvals = [...r.approvals, mine];
      if (!ruleSatisfied(r.rule, approvals)) {
        if (await write({ status: 'pending', approvals })) return view({ approvals });
      } else {
        await checkProposalRunner(deps, r, approvals, job, user);
        const invalid = await invalidApprover(deps, r, approvals, job);
        if (invalid) {
          const end = { code: 'approval_approver_invalid', message: invalid, at: now };
          if (await write({ status: 'ended', end })) throw new KeylaunchError('approval_approver_invalid', invalid);
        } else {
          const runId = timeOrderedId('run_', deps.clock, deps.random);
          // The one write that moves the request to `launched`: whoever wins it launches, nobody else.
          if (await write({ status: 'launched', approvals, runId })) {
            const launching = r;
            const run = await launchRequest(deps, ctx, { request: r, approvals, runId, job, entry: entry! }).catch(async (e: unknown) => {
              await endUnrecorded(deps, launching, approvals, runId);
              throw e;
            });
            return { ...view({ status: 'launched', approvals, runId }), run };
          }
        }
      }
    }
    r = await deps.store.getRequest(r.id);
  }
  if (!r) throw new KeylaunchError('approval_unknown', 'The request is gone.');
  throw new KeylaunchError('approval_busy', 'Too many decisions at once on this request; try again.');
}

/**
 * The run of a request that moved to `launched` could not be recorded (storage failed before it existed):
 * nothing launched, so the request must not name a run that does not exist. Best effort: if storage is
 * still failing, this fails too, and the answer is storage_unavailable either way.
 */
async function endUnrecorded(deps: VerifierDeps, r: ApprovalRequest, approvals: ApprovalRecord[], runId: string): Promise<void> {
  const run = await deps.store.getRun(runId).catch(() => null);
  if (run !== undefined) return; // recorded (failed, say), or unknown: the request keeps naming it
  const end = { code: 'storage_unavailable', message: 'The run could not be recorded, so nothing was launched; request it again.', at: deps.clock.now() };
  await deps.store.updateRequest(r.id, r.version + 1, { status: 'ended', approvals, end, updatedAt: end.at }).catch(() => false);
}

/**
 * A proposal has no requester who may run the job: its `allow` must still be met by a person, so the
 * approval that would complete the rule is refused (not recorded) unless someone among the approvers
 * may run the job; otherwise group members the job does not allow would launch it alone.
 */
async function checkProposalRunner(deps: VerifierDeps, r: ApprovalRequest, approvals: Pick<ApprovalRecord, 'userId' | 'groups'>[], job: JobDefinition, me: User): Promise<void> {
  if (!r.proposer || !ruleSatisfied(r.rule, approvals) || mayRun(job, me)) return;
  const others = await Promise.all(approvals.filter((a) => a.userId !== me.id).map((a) => deps.store.getUserWithCredentials(a.userId)));
  if (others.some((p) => p && !p.user.disabled && mayRun(job, p.user))) return;
  throw new KeylaunchError('approval_not_eligible', `A proposed run of ${r.job} launches only once someone who may run ${r.job} approves it; yours would complete it without them.`);
}

/** Who may decide: not the requester (unless the job lets them count, or they withdraw), never twice. */
function checkDecider(r: ApprovalRequest, job: JobDefinition | undefined, user: User, decision: Decision): void {
  const decided = r.approvals.some((a) => a.userId === user.id);
  if (user.id === r.requesterId && decision === 'reject') return; // withdrawing one's own request
  if (user.id === r.requesterId && !r.rule.requesterCounts) throw new KeylaunchError('approval_self', 'You cannot approve your own request: this job needs other people.');
  if (decided) throw new KeylaunchError('approval_duplicate', 'You already approved this request; one person counts once, whatever key they use.');
  if (!mayDecide(r.rule, job, user)) throw new KeylaunchError('approval_not_eligible', `You may not decide on runs of ${r.job}.`);
}

function checkOpen(r: ApprovalRequest, now: number): void {
  if (r.status === 'rejected') throw new KeylaunchError('approval_rejected', `This request was rejected by ${r.rejectedBy?.userName ?? 'someone'}.`);
  if (r.status === 'launched') throw new KeylaunchError('approval_closed', 'This request already launched its run.');
  if (r.status === 'ended') throw new KeylaunchError('approval_closed', `This request has ended (${r.end?.code ?? 'closed'}).`);
  if (r.expiresAt <= now) throw new KeylaunchError('approval_expired', 'This request expired; ask again.');
}

/** The stored request is the one the decision was asked for: its intent hashes to what was signed over. */
function checkIntact(r: ApprovalRequest, intent: DecisionIntent): void {
  let parsed: RunIntent | undefined;
  try {
    parsed = JSON.parse(r.intent) as RunIntent;
  } catch {
    parsed = undefined;
  }
  const same =
    parsed !== undefined &&
    canonicalJson(parsed) === r.intent &&
    intentHash(parsed).toString('hex') === r.intentHash &&
    r.intentHash === intent.requestHash &&
    parsed.job === r.job &&
    canonicalJson(parsed.params) === canonicalJson(r.params) &&
    canonicalJson(parsed.configVersions) === canonicalJson(r.configVersions) &&
    parsed.userId === r.requesterId;
  if (!same) throw new KeylaunchError('approval_request_changed', 'This request is not the one that was asked for (it changed in storage); nothing was approved.');
}

/**
 * At the last approval, everyone's right must still hold: the requester may still run the job, each
 * approver is enabled, their key unrevoked and unsuspended, they may still decide, and with today's
 * groups the rule is still met. Returns why not, or undefined.
 */
async function invalidApprover(deps: VerifierDeps, r: ApprovalRequest, approvals: ApprovalRecord[], job: JobDefinition): Promise<string | undefined> {
  const ids = [...new Set([...(r.proposer ? [] : [r.requesterId]), ...approvals.map((a) => a.userId)])];
  const [loaded, proposer] = await Promise.all([
    Promise.all(ids.map(async (id) => [id, await deps.store.getUserWithCredentials(id)] as const)).then((pairs) => new Map(pairs)),
    r.proposer ? deps.store.getProposer(r.proposer.id) : undefined,
  ]);
  if (r.proposer) return proposer && proposer.revokedAt === undefined && proposer.expiresAt > deps.clock.now() && proposer.jobs.includes(r.job) ? checkApprovers(r, approvals, job, loaded) : `The proposer ${r.proposer.name}'s token was revoked, expired or no longer names ${r.job}.`;
  const requester = loaded.get(r.requesterId);
  const requesterKey = requester?.credentials.find((c) => c.id === r.requesterCredentialId);
  if (!requester || requester.user.disabled || !mayRun(job, requester.user) || !requesterKey || !isActive(requesterKey)) {
    return `The requester ${r.requesterName} may no longer run ${r.job} (disabled, key revoked or no longer allowed).`;
  }
  return checkApprovers(r, approvals, job, loaded);
}

function checkApprovers(r: ApprovalRequest, approvals: ApprovalRecord[], job: JobDefinition, loaded: Map<string, { user: User; credentials: Credential[] } | undefined>): string | undefined {
  for (const a of approvals) {
    const person = loaded.get(a.userId);
    const key = person?.credentials.find((c) => c.id === a.credentialId);
    if (!person || person.user.disabled) return `${a.userName} is disabled.`;
    if (!key || !isActive(key)) return `${a.userName}'s key was revoked or suspended.`;
    if (a.userId !== r.requesterId && !mayDecide(r.rule, job, person.user)) return `${a.userName} may no longer decide on ${r.job}.`;
  }
  const today = approvals.map((a) => ({ userId: a.userId, groups: loaded.get(a.userId)!.user.groups ?? [] }));
  if (!ruleSatisfied(r.rule, today)) return 'An approver left a group the rule needs.';
  return undefined;
}
