import type { JobSummary } from '../../backend/core/queries';
import type { Run } from '../../backend/core/model';

/**
 * Jobs in the order a person looks for them: pinned first, then the ones they ran most recently, then
 * the rest by title; a query keeps only the jobs whose name, title, description or type contain it.
 */
export function orderJobs(jobs: JobSummary[], o: { pinned: string[]; recentRuns: Run[]; me?: string; query?: string }): JobSummary[] {
  const q = (o.query ?? '').trim().toLowerCase();
  const recent = new Map<string, number>();
  for (const run of o.recentRuns) if (!o.me || run.userName === o.me) recent.set(run.job, Math.max(recent.get(run.job) ?? 0, run.createdAt));
  const rank = (j: JobSummary) => (o.pinned.includes(j.name) ? 0 : recent.has(j.name) ? 1 : 2);
  return jobs
    .filter((j) => !q || `${j.name} ${j.title} ${j.description ?? ''} ${j.type}`.toLowerCase().includes(q))
    .sort((a, b) => rank(a) - rank(b) || (recent.get(b.name) ?? 0) - (recent.get(a.name) ?? 0) || a.title.localeCompare(b.title));
}
