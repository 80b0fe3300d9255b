import { launchRecorded } from './launchRun';
import { recordRun } from './runRecord';
import type { RequestContext, VerifierDeps } from './deps';
import type { CatalogEntry, JobDefinition } from './job';
import type { ApprovalRecord, ApprovalRequest, Run } from './model';

/**
 * Who the job (and AWS: the launch role's SourceIdentity, the RequestedBy tag) is told launched it: the
 * requester, a person; for a proposal, the person whose approval launched it. A proposer is no person, and
 * its label ("proposer:ci-bot") is no SourceIdentity STS accepts: the run record names it (proposedBy).
 */
const launchedBy = (r: ApprovalRequest, approvals: ApprovalRecord[]) => (r.proposer ? approvals[approvals.length - 1]!.userName : r.requesterName);

/**
 * The launch on a request's last required approval (issue 16 §1). Only the decision whose conditional
 * write moved the request to `launched` gets here, so a request launches once. The run is the
 * requester's run (their touch, their intent) and keeps every approval's receipt.
 */
export async function launchRequest(
  deps: VerifierDeps,
  ctx: RequestContext,
  o: { request: ApprovalRequest; approvals: ApprovalRecord[]; runId: string; job: JobDefinition; entry: CatalogEntry },
): Promise<Run> {
  const { request: r, job } = o;
  const now = deps.clock.now();
  // A proposal has no requester's touch: its run's receipt is the first approver's (each is in `approvals`).
  const first = o.approvals[0]!;
  const run: Run = {
    id: o.runId,
    job: r.job,
    params: r.params,
    intentHash: r.intentHash,
    fingerprint: r.fingerprint,
    configVersions: r.configVersions,
    userId: r.requesterId,
    userName: r.requesterName,
    credentialId: r.requesterCredentialId ?? first.credentialId,
    sourceIp: ctx.sourceIp,
    status: 'launching',
    intentId: r.intentId,
    createdAt: now,
    updatedAt: now,
    receipt: r.requesterReceipt ?? first.receipt,
    intent: r.intent,
    requestId: r.id,
    approvals: o.approvals,
    ...(r.proposer ? { proposedBy: { ...r.proposer, ...(r.reason ? { reason: r.reason } : {}) } } : {}),
  };
  ctx.facts.runId = run.id;
  // As at confirm: the run exists before anything launches, and it claims its intent (one run per intent).
  const [claimed, created] = await Promise.allSettled([deps.store.reserveRun(r.intentId, run.id), deps.store.createRun(run)]);
  if (claimed.status === 'rejected') {
    if (created.status === 'fulfilled') await recordRun(deps, run, { status: 'failed', failure: { code: 'storage_unavailable', message: 'The intent could not be claimed; nothing was launched.' } });
    throw claimed.reason;
  }
  if (created.status === 'rejected') throw created.reason;

  await launchRecorded(deps, run, {
    runId: run.id,
    job,
    params: r.params,
    secrets: {}, // jobs with approvals take none (job.ts)
    requestedBy: launchedBy(r, o.approvals),
    fingerprint: r.fingerprint,
    configVersions: r.configVersions,
    ...(o.entry.available && o.entry.execution ? { execution: o.entry.execution } : {}),
  }, {});
  if (run.status === 'failed') ctx.facts.detail = `launch failed: ${run.failure?.code}`;
  return { ...run };
}
