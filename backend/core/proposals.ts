import { KeylaunchError } from './errors';
import { announce, requestNotice } from './notification';
import { availableJob } from './authorize';
import { canonicalJson } from './canonicalJson';
import { fingerprint, intentHash } from './intent';
import { randomId, timeOrderedId } from './ids';
import { validateParams } from './params';
import { checkProposer } from './proposers';
import { OPEN_REQUESTS_EACH, checkOpenRequests } from './requests';
import { requestView, type RequestView } from './requestViews';
import type { RequestContext, VerifierDeps } from './deps';
import type { ApprovalRequest, ApprovalRule, ProposerToken, RunIntent, RunStatus } from './model';

/**
 * Proposed runs (issue 16 §2): automation with a proposer token drafts a pending request; people decide
 * with their touches (decisions.ts), under the job's own approvals rule, or one person's for a job
 * without one. A proposer token reaches only these routes: every other route needs a person's session.
 */

/** A job without `approvals` still needs one person's touch when it is proposed. */
const ONE_PERSON: ApprovalRule = { min: 1, groups: {}, requesterCounts: false, ttlSeconds: 3600 };

/**
 * A proposal needs as many people's touches as the same run asked by a person: the proposer is nobody,
 * so where the requester does not count (their touch comes on top of `min`), one more person must
 * approve. Else a person holding a proposer token plus their own key would launch a two-person job alone.
 */
function proposalRule(rule: ApprovalRule | undefined): ApprovalRule {
  if (!rule) return ONE_PERSON;
  return { ...rule, min: rule.requesterCounts ? rule.min : rule.min + 1, requesterCounts: false };
}

/**
 * A proposal costs people's attention and a stored request. Each token may have OPEN_REQUESTS_EACH open
 * at once (as a person may), and make this many in any hour (a sliding window in the Store's rate-limit
 * log, so every Lambda instance sees it; else short-lived proposals churn storage and audit rows).
 */
export const PROPOSALS_PER_HOUR = 30;
const HOUR_MS = 3_600_000;

async function checkBudget(deps: VerifierDeps, token: ProposerToken, now: number): Promise<string> {
  const key = `proposals:${token.id}`;
  await checkOpenRequests(deps, now, (r) => r.proposer?.id === token.id, `This proposer token has ${OPEN_REQUESTS_EACH} proposals waiting for people; wait until some are decided or expire.`);
  const recent = await deps.store.recentFailures(key, now - HOUR_MS, PROPOSALS_PER_HOUR);
  if (recent.length >= PROPOSALS_PER_HOUR) {
    const retryAfterSeconds = Math.max(1, Math.ceil((recent[PROPOSALS_PER_HOUR - 1]! + HOUR_MS - now) / 1000));
    throw new KeylaunchError('rate_limited', `This proposer token made ${PROPOSALS_PER_HOUR} proposals in the last hour; wait and ask again.`, { details: { retryAfterSeconds } });
  }
  return key;
}

async function proposer(deps: VerifierDeps, ctx: RequestContext): Promise<ProposerToken> {
  const [, token] = await Promise.all([ctx.gate, checkProposer(deps.store, deps.clock.now(), ctx.proposerToken)]);
  ctx.facts.userId = `proposer:${token.id}`;
  ctx.facts.userName = `proposer:${token.name}`;
  return token;
}

export interface ProposableJob {
  name: string;
  title: string;
  description?: string;
  params: { name: string; type: string; required: boolean; title?: string; description?: string; values?: string[] }[];
  approvals: ApprovalRule;
}

/** The jobs this token may propose, as far as they can be proposed (no secrets, no MFA code). */
export async function listProposable(deps: VerifierDeps, ctx: RequestContext): Promise<{ jobs: ProposableJob[] }> {
  const token = await proposer(deps, ctx);
  const entries = await Promise.all(token.jobs.map((name) => deps.catalog.getJob(name)));
  const jobs = entries.flatMap((entry): ProposableJob[] => {
    if (!entry?.available || !proposable(entry.job)) return [];
    const { job } = entry;
    const params = job.params.map((p) => ({ name: p.name, type: p.type, required: p.required, ...(p.title ? { title: p.title } : {}), ...(p.description ? { description: p.description } : {}), ...(p.type === 'enum' ? { values: p.values } : {}) }));
    return [{ name: job.name, title: job.title, ...(job.description ? { description: job.description } : {}), params, approvals: proposalRule(job.approvals) }];
  });
  return { jobs };
}

const proposable = (job: { params: { secret: boolean }[]; mfaCode: string }) => !job.params.some((p) => p.secret) && job.mfaCode === 'none';

export async function propose(deps: VerifierDeps, ctx: RequestContext, input: { job: string; params: Record<string, unknown>; reason: string }): Promise<{ request: ProposalView }> {
  ctx.facts.job = input.job;
  const token = await proposer(deps, ctx);
  if (!token.jobs.includes(input.job)) throw new KeylaunchError('proposer_not_allowed', `This proposer token may not propose ${input.job}.`);
  const entry = await deps.catalog.getJob(input.job, { fresh: true });
  const { job, versions } = availableJob(entry, input.job);
  if (!proposable(job)) throw new KeylaunchError('proposer_not_allowed', `${job.name} takes secret parameters or an MFA code, which a proposal cannot carry.`);
  const params = validateParams(job.params, input.params, 'plain');
  const rule = proposalRule(job.approvals);
  const now = deps.clock.now();
  const budget = await checkBudget(deps, token, now);
  const expiresAt = now + rule.ttlSeconds * 1000;
  const requesterId = `proposer:${token.id}`;
  // The same intent a person's run would bind, naming the proposer; it is what every approver signs over.
  const intent: RunIntent = {
    v: 1,
    purpose: 'run',
    job: job.name,
    params,
    secretParams: [],
    configVersions: versions,
    userId: requesterId,
    allowCredentials: [],
    userVerification: job.userVerification,
    approvals: rule,
    origin: deps.config.origins,
    rpId: deps.config.rpId,
    expiresAt,
  };
  const hash = intentHash(intent);
  const request: ApprovalRequest = {
    id: timeOrderedId('req_', deps.clock, deps.random),
    job: job.name,
    params,
    configVersions: versions,
    intent: canonicalJson(intent),
    intentHash: hash.toString('hex'),
    intentId: randomId('int_', deps.random),
    fingerprint: fingerprint(intent, hash),
    requesterId,
    requesterName: `proposer:${token.name}`,
    proposer: { id: token.id, name: token.name },
    reason: input.reason,
    rule,
    status: 'pending',
    approvals: [],
    sourceIp: ctx.sourceIp,
    createdAt: now,
    updatedAt: now,
    expiresAt,
    version: 0,
  };
  ctx.facts.fingerprint = request.fingerprint;
  ctx.facts.detail = `proposal ${request.id}`;
  await deps.store.recordFailure([budget], now, now + HOUR_MS);
  await deps.store.createRequest(request);
  await announce(deps, requestNotice(request), job);
  return { request: proposalView(requestView(request, entry, now)) };
}

/**
 * The request as its proposer may see it: what it asked, its state and how many approved when, but not
 * who. A compromised proposer (a leaked CI token, a prompt-injected agent) would otherwise learn whom to
 * work on; an end's message can name a person too ("bob is disabled"), so only its code is kept.
 */
export type ProposalView = Omit<RequestView, 'approvals' | 'rejectedBy' | 'end'> & {
  approvals: { at: number }[];
  rejected?: { at: number };
  end?: { code: string; at: number };
};

export function proposalView(view: RequestView): ProposalView {
  const { approvals, rejectedBy, end, ...rest } = view;
  return {
    ...rest,
    approvals: approvals.map((a) => ({ at: a.at })),
    ...(rejectedBy ? { rejected: { at: rejectedBy.at } } : {}),
    ...(end ? { end: { code: end.code, at: end.at } } : {}),
  };
}

/** What a proposer may know of its own request: the request, and its run's status (no output, no details). */
export async function getProposal(
  deps: VerifierDeps,
  ctx: RequestContext,
  input: { requestId: string },
): Promise<{ request: ProposalView; run?: { id: string; status: RunStatus; failure?: { code: string }; createdAt: number; updatedAt: number } }> {
  const token = await proposer(deps, ctx);
  const request = await deps.store.getRequest(input.requestId);
  // Another proposer's request, or a person's, does not exist for this token.
  if (!request || request.proposer?.id !== token.id) throw new KeylaunchError('approval_unknown', `No proposal ${input.requestId}.`);
  ctx.facts.job = request.job;
  const [entry, run] = await Promise.all([deps.catalog.getJob(request.job), request.runId ? deps.store.getRun(request.runId) : undefined]);
  const view = proposalView(requestView(request, entry, deps.clock.now()));
  if (!run) return { request: view };
  ctx.facts.runId = run.id;
  return { request: view, run: { id: run.id, status: run.status, ...(run.failure ? { failure: { code: run.failure.code } } : {}), createdAt: run.createdAt, updatedAt: run.updatedAt } };
}
