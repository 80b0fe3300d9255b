import { KeylaunchError, isKeylaunchError } from './errors';
import { loadSession, requireAdmin } from './sessionGuard';
import { describeTarget, mayRun } from './authorize';
import type { RequestContext, VerifierDeps } from './deps';
import type { AuditEntry, Run } from './model';
import type { Page } from './ports';
import { isSettled, isUnsettled } from './runRecord';

/** Read-only routes. Each still needs a live session; the audit log needs an admin. */

export interface JobSummary {
  name: string;
  title: string;
  description?: string;
  type: string;
  available: boolean;
  reason?: string;
  target?: string;
  params: unknown[];
  userVerification?: string;
  mfaCode?: 'required' | 'none';
  /** The job's config versions now (as a run records them): "Run again" says when they differ from the run's. */
  versions?: Record<string, string>;
}

export async function listJobs(deps: VerifierDeps, ctx: RequestContext): Promise<{ jobs: JobSummary[] }> {
  const [, session, entries] = await Promise.all([ctx.gate, loadSession(deps, ctx), deps.catalog.listJobs()]);
  const jobs = entries.flatMap((entry): JobSummary[] => {
    if (!entry.available) return [{ name: entry.name, title: entry.name, type: 'unknown', available: false, reason: entry.reason, params: [] }];
    const { job } = entry;
    if (!mayRun(job, session.user)) return [];
    return [{ name: job.name, title: job.title, description: job.description, type: job.type, available: true, target: describeTarget(job), params: job.params, userVerification: job.userVerification, mfaCode: job.mfaCode, versions: entry.versions }];
  });
  return { jobs };
}

export async function listRuns(deps: VerifierDeps, ctx: RequestContext, input: { limit: number; cursor?: string; intentId?: string }): Promise<{ runs: Run[]; cursor?: string }> {
  if (input.intentId) return runsOfIntent(deps, ctx, input.intentId);
  const [, , page] = await Promise.all([ctx.gate, loadSession(deps, ctx), deps.store.listRuns(input)]);
  return { runs: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) };
}

/**
 * The run launched from an intent, for a desktop that lost the confirmation's answer (issue 12): it
 * asks instead of sending the approval again. A read only: it cannot launch or consume anything. An
 * intent belongs to the person who prepared it, so only their session sees its run; for anyone else the
 * answer is the same as for an intent that launched nothing.
 */
async function runsOfIntent(deps: VerifierDeps, ctx: RequestContext, intentId: string): Promise<{ runs: Run[] }> {
  const [, session, run] = await Promise.all([ctx.gate, loadSession(deps, ctx), deps.store.getRunByIntent(intentId)]);
  if (!run || run.userId !== session.user.id) return { runs: [] };
  ctx.facts.runId = run.id;
  ctx.facts.job = run.job;
  return { runs: [run] };
}

/** A run, refreshed from its service while it is unsettled (issue: refreshing a run asks the service). */
export async function getRun(deps: VerifierDeps, ctx: RequestContext, input: { runId: string }): Promise<{ run: Run }> {
  ctx.facts.runId = input.runId;
  const [, , run] = await Promise.all([ctx.gate, loadSession(deps, ctx), deps.store.getRun(input.runId)]);
  if (!run) throw new KeylaunchError('not_found', `No run ${input.runId}.`);
  const launcher = run.launch ? deps.launchers[run.launch.launcher as keyof typeof deps.launchers] : undefined;
  if (!launcher?.status || !run.launch || !isUnsettled(run.status)) return { run };
  try {
    const now = await launcher.status(run.launch);
    if (now.status === run.status && JSON.stringify(now.details) === JSON.stringify(run.launch)) return { run };
    // A cancel may have ended the run while the service was asked: it is not overwritten by a stale refresh.
    const current = await deps.store.getRun(run.id);
    if (current && current.status !== run.status) return { run: current };
    const at = deps.clock.now();
    const updated: Run = { ...run, status: now.status, launch: now.details, updatedAt: at, ...(isSettled(now.status) && run.endedAt === undefined ? { endedAt: at } : {}) };
    await deps.store.updateRun(updated);
    return { run: updated };
  } catch (error) {
    // The stored run is still the truth we have; say why it could not be refreshed.
    ctx.facts.detail = `status refresh failed: ${isKeylaunchError(error) ? error.code : 'error'}`;
    return { run };
  }
}

export async function listAudit(deps: VerifierDeps, ctx: RequestContext, input: { limit: number; cursor?: string }): Promise<{ entries: AuditEntry[]; cursor?: string }> {
  const [, session] = await Promise.all([ctx.gate, loadSession(deps, ctx)]);
  requireAdmin(session);
  const page: Page<AuditEntry> = await deps.store.listAudit(input);
  return { entries: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) };
}

export async function whoAmI(deps: VerifierDeps, ctx: RequestContext) {
  const [, session] = await Promise.all([ctx.gate, loadSession(deps, ctx)]);
  return { user: { id: session.user.id, name: session.user.name, role: session.user.role }, expiresAt: session.claims.exp };
}
