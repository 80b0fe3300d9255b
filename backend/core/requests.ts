import { KeylaunchError } from './errors';
import { commitCounter, type BoundChallenge } from './approval';
import { mayRun } from './authorize';
import { inRuleGroups } from './approvalRule';
import { canonicalJson } from './canonicalJson';
import { fingerprint } from './intent';
import { timeOrderedId } from './ids';
import { loadSession } from './sessionGuard';
import { requestView, type RequestView } from './requestViews';
import { announce, requestNotice } from './notification';
import { MAX_APPROVAL_TTL_SECONDS } from './approvalRule';
import type { AuthenticationResponseJSON } from './webauthn';
import type { RequestContext, VerifierDeps } from './deps';
import type { JobDefinition } from './job';
import type { ApprovalRecord, ApprovalRequest, ApprovalRule, Credential, Receipt, RunIntent, User } from './model';

/**
 * Pending requests (issue 16 §1): a run of a job with `approvals` waits here for more people's touches.
 * The requester's confirmation opens it (their touch over the run intent); decisions.ts records the rest.
 */

export function receiptOf(assertion: AuthenticationResponseJSON, nonce: string): Receipt {
  return {
    credentialId: assertion.id,
    authenticatorData: assertion.response.authenticatorData,
    clientDataJSON: assertion.response.clientDataJSON,
    signature: assertion.response.signature,
    ...(assertion.response.userHandle ? { userHandle: assertion.response.userHandle } : {}),
    nonce,
  };
}

/**
 * At most this many open requests per person, and per proposer token (proposals.ts): nobody fills the
 * "Waiting for you" list alone. Concurrent asks may pass together; the overshoot is bounded by throttling.
 */
export const OPEN_REQUESTS_EACH = 10;

/** `rate_limited` (until the oldest expires) once OPEN_REQUESTS_EACH open requests are `mine`. */
export async function checkOpenRequests(deps: VerifierDeps, now: number, mine: (r: ApprovalRequest) => boolean, message: string): Promise<void> {
  const open = (await deps.store.listRequestsSince(now - MAX_APPROVAL_TTL_SECONDS * 1000, 10_000, now)).filter(mine);
  if (open.length < OPEN_REQUESTS_EACH) return;
  const retryAfterSeconds = Math.max(1, Math.ceil((Math.min(...open.map((r) => r.expiresAt)) - now) / 1000));
  throw new KeylaunchError('rate_limited', message, { details: { retryAfterSeconds } });
}

/** Called by confirmRun once the requester's touch verified: the run intent becomes a pending request. */
export async function openRequest(
  deps: VerifierDeps,
  ctx: RequestContext,
  o: { record: BoundChallenge; user: User; credential: Credential; assertion: AuthenticationResponseJSON; newCounter: number; rule: ApprovalRule },
): Promise<{ request: RequestView }> {
  const intent = o.record.intent as RunIntent;
  const now = deps.clock.now();
  const id = timeOrderedId('req_', deps.clock, deps.random);
  const text = canonicalJson(intent);
  const receipt = receiptOf(o.assertion, o.record.nonce);
  // The requester's own touch is their approval only when the job lets the requester count.
  const own: ApprovalRecord = { userId: o.user.id, userName: o.user.name, groups: o.user.groups ?? [], credentialId: o.credential.id, at: now, intent: text, receipt };
  const request: ApprovalRequest = {
    id,
    job: intent.job,
    params: intent.params,
    configVersions: intent.configVersions,
    intent: text,
    intentHash: o.record.intentHash.toString('hex'),
    intentId: o.record.intentId,
    fingerprint: fingerprint(intent, o.record.intentHash),
    requesterId: o.user.id,
    requesterName: o.user.name,
    requesterReceipt: receipt,
    requesterCredentialId: o.credential.id,
    rule: o.rule,
    status: 'pending',
    approvals: o.rule.requesterCounts ? [own] : [],
    sourceIp: ctx.sourceIp,
    createdAt: now,
    updatedAt: now,
    expiresAt: now + Math.min(o.rule.ttlSeconds, MAX_APPROVAL_TTL_SECONDS) * 1000,
    version: 0,
  };
  ctx.facts.detail = `request ${id} opened`;
  // The intent was consumed once (single use), so it opens one request; its run claims the intent at launch.
  await commitCounter(deps, ctx, o.credential, o.newCounter);
  await checkOpenRequests(deps, now, (r) => r.requesterId === o.user.id, `You have ${OPEN_REQUESTS_EACH} requests waiting for people; wait until some are decided or expire, or withdraw one.`);
  await deps.store.createRequest(request);
  const entry = await deps.catalog.getJob(intent.job);
  await announce(deps, requestNotice(request), entry?.available ? entry.job : undefined);
  return { request: requestView(request, entry, now) };
}

/**
 * Who may decide on a request: someone the job lets run it, or a member of one of the rule's groups. The
 * requester may only withdraw (reject) their own request, or approve it when the job lets them count.
 */
export function mayDecide(rule: ApprovalRule, job: JobDefinition | undefined, user: User): boolean {
  return !user.disabled && ((job !== undefined && mayRun(job, user)) || inRuleGroups(rule, user.groups));
}

/** The requests waiting for the session's person, and the open ones they asked for themselves. */
export async function listRequests(deps: VerifierDeps, ctx: RequestContext): Promise<{ waiting: RequestView[]; mine: RequestView[] }> {
  const now = deps.clock.now();
  // Every open request was created within the longest ttl: one key range holds them all.
  const [, session, recent] = await Promise.all([ctx.gate, loadSession(deps, ctx), deps.store.listRequestsSince(now - MAX_APPROVAL_TTL_SECONDS * 1000, 200, now)]);
  const pending = recent.filter((r) => r.status === 'pending' && r.expiresAt > now);
  // A proposal whose token was revoked, expired or no longer names the job can never launch: nobody is asked.
  const proposers = new Map(await Promise.all([...new Set(pending.flatMap((r) => (r.proposer ? [r.proposer.id] : [])))].map(async (id) => [id, await deps.store.getProposer(id)] as const)));
  const open = pending.filter((r) => {
    const token = r.proposer && proposers.get(r.proposer.id);
    return !r.proposer || (token && token.revokedAt === undefined && token.expiresAt > now && token.jobs.includes(r.job));
  });
  const entries = new Map(await Promise.all([...new Set(open.map((r) => r.job))].map(async (name) => [name, await deps.catalog.getJob(name)] as const)));
  const me = session.user;
  const waiting: RequestView[] = [];
  const mine: RequestView[] = [];
  for (const r of open) {
    const entry = entries.get(r.job);
    if (r.requesterId === me.id) mine.push(requestView(r, entry, now));
    else if (!r.approvals.some((a) => a.userId === me.id) && mayDecide(r.rule, entry?.available ? entry.job : undefined, me)) waiting.push(requestView(r, entry, now));
  }
  return { waiting, mine };
}

/** One request, for its requester, anyone who may decide on it, and admins; for anyone else it does not exist. */
export async function getRequest(deps: VerifierDeps, ctx: RequestContext, input: { requestId: string }): Promise<{ request: RequestView }> {
  const [, session, request] = await Promise.all([ctx.gate, loadSession(deps, ctx), deps.store.getRequest(input.requestId)]);
  const entry = request ? await deps.catalog.getJob(request.job) : undefined;
  const me = session.user;
  const visible = request && (request.requesterId === me.id || me.role === 'admin' || request.approvals.some((a) => a.userId === me.id) || mayDecide(request.rule, entry?.available ? entry.job : undefined, me));
  if (!visible) throw new KeylaunchError('approval_unknown', `No request ${input.requestId}.`);
  ctx.facts.job = request.job;
  ctx.facts.fingerprint = request.fingerprint;
  return { request: requestView(request, entry, deps.clock.now()) };
}
