import { describeTarget } from './authorize';
import { canonicalJson } from './canonicalJson';
import type { CatalogEntry } from './job';
import type { ApprovalRequest, ApprovalRule, ParamValue, RequestStatus } from './model';

/**
 * What of a pending request leaves the verifier (issue 16 §1): the same review the requester saw (job,
 * target with the parameters filled in, labels, fingerprint), who asked, who decided, and what is still
 * missing. Receipts stay on the request and go to the run; this is what a person reads before touching.
 */
export interface RequestView {
  id: string;
  status: RequestStatus;
  job: { name: string; title: string; type: string; target: string };
  params: Record<string, ParamValue>;
  labels: Record<string, string>;
  configVersions: Record<string, string>;
  fingerprint: string;
  intentHash: string;
  requester: { id: string; name: string };
  /** A proposal (issue 16 §2): the proposer token's name and its reason, shown to the approvers. */
  proposer?: { name: string };
  reason?: string;
  rule: ApprovalRule;
  approvals: { userId: string; userName: string; groups: string[]; at: number }[];
  rejectedBy?: { userId: string; userName: string; at: number };
  /** Distinct people still needed, and per group the seats still open (a lower bound once people overlap). */
  missing: { people: number; groups: Record<string, number> };
  end?: { code: string; message: string; at: number };
  runId?: string;
  createdAt: number;
  expiresAt: number;
}

export const statusAt = (r: ApprovalRequest, now: number): RequestStatus => (r.status === 'pending' && r.expiresAt <= now ? 'expired' : r.status);

export function requestView(r: ApprovalRequest, entry: CatalogEntry | undefined, now: number): RequestView {
  // Only the job as it was requested describes the request: a changed definition (another target) is
  // not what anyone approves, and its last approval ends the request (approval_job_changed).
  const same = entry?.available && canonicalJson(entry.versions) === canonicalJson(r.configVersions);
  const job = same ? entry.job : undefined;
  const people = new Set(r.approvals.map((a) => a.userId)).size;
  const groups = Object.fromEntries(
    Object.entries(r.rule.groups)
      .map(([g, n]) => [g, Math.max(0, n - r.approvals.filter((a) => a.groups.includes(g)).length)] as const)
      .filter(([, n]) => n > 0),
  );
  return {
    id: r.id,
    status: statusAt(r, now),
    job: job
      ? { name: job.name, title: job.title, type: job.type, target: describeTarget(job, r.params) }
      : { name: r.job, title: r.job, type: 'unknown', target: entry?.available ? 'unavailable: the job changed since it was requested; approving ends the request' : 'unavailable: the job is no longer in the catalog as approved' },
    params: r.params,
    labels: Object.fromEntries((job?.params ?? []).map((p) => [p.name, p.title ?? p.name])),
    configVersions: r.configVersions,
    fingerprint: r.fingerprint,
    intentHash: r.intentHash,
    requester: { id: r.requesterId, name: r.requesterName },
    ...(r.proposer ? { proposer: { name: r.proposer.name } } : {}),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    rule: r.rule,
    approvals: r.approvals.map(({ userId, userName, groups: g, at }) => ({ userId, userName, groups: g, at })),
    ...(r.rejectedBy ? { rejectedBy: { userId: r.rejectedBy.userId, userName: r.rejectedBy.userName, at: r.rejectedBy.at } } : {}),
    missing: { people: Math.max(0, r.rule.min - people), groups },
    ...(r.end ? { end: r.end } : {}),
    ...(r.runId && r.status === 'launched' ? { runId: r.runId } : {}), // an ended request's run was never recorded
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
  };
}
