import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { jobDefinitionSchema } from '../core/job';
import { describeJobProblems } from '../core/jobProblems';
import { readJobsDocument } from '../core/jobsFile';
import { createSsmCatalog } from '../adapters/catalog/ssmCatalog';

/**
 * `npm run jobs -- push <file>` and `jobs -- list`: the job catalog in SSM Parameter Store. A push
 * validates every job first and writes nothing unless all are valid; then each job's invoke config
 * (String) and, when the file gives one, its execution config (SecureString: the job reads it decrypted).
 */
export function checkPrefix(prefix: string): string {
  if (!/^\/[A-Za-z0-9_.\-/]{1,200}$/.test(prefix) || prefix.endsWith('/') || prefix.includes('//')) throw new Error(`Not a parameter path prefix: ${prefix}`);
  return prefix;
}

export async function pushJobs(o: { client: SSMClient; prefix: string; text: string; dryRun?: boolean }): Promise<{ ok: boolean; lines: string[] }> {
  const prefix = checkPrefix(o.prefix);
  const doc = readJobsDocument(o.text);
  if ('reason' in doc) return { ok: false, lines: [doc.reason] };
  const problems: string[] = [];
  const jobs = doc.jobs.map((raw, i) => {
    const parsed = jobDefinitionSchema.safeParse(raw);
    if (!parsed.success) problems.push(`job #${i + 1} (${String((raw as { name?: unknown })?.name ?? '?')}): ${describeJobProblems(raw, parsed.error, jobDefinitionSchema)}`);
    return parsed.data;
  });
  const names = jobs.map((j) => j?.name);
  for (const dup of names.filter((n, i) => n && names.indexOf(n) !== i)) problems.push(`name "${dup}" is used by more than one job`);
  if (problems.length) return { ok: false, lines: ['Nothing was written. Fix these first:', ...problems] };

  const lines: string[] = [];
  for (const job of jobs) {
    const { execution, approvals, ...rest } = job!;
    // Read back through the same strict schema (ssmCatalog.ts): the approval rule is stored as it is written (`ttl`), not as parsed (`ttlSeconds`).
    const invoke = approvals ? { ...rest, approvals: { min: approvals.min, groups: approvals.groups, requesterCounts: approvals.requesterCounts, ttl: approvals.ttlSeconds } } : rest;
    const base = `${prefix}/jobs/${job!.name}`;
    if (o.dryRun) {
      lines.push(`would write ${base}/invoke${execution ? ` and ${base}/execution` : ''}`);
      continue;
    }
    const put = await o.client.send(new PutParameterCommand({ Name: `${base}/invoke`, Value: JSON.stringify(invoke), Type: 'String', Overwrite: true, Tier: 'Intelligent-Tiering', Description: `keylaunch job ${job!.name}: invoke config` }));
    let line = `${base}/invoke: version ${put.Version}`;
    if (execution) {
      const exec = await o.client.send(new PutParameterCommand({ Name: `${base}/execution`, Value: JSON.stringify(execution), Type: 'SecureString', Overwrite: true, Tier: 'Intelligent-Tiering', Description: `keylaunch job ${job!.name}: execution config` }));
      line += `; execution: version ${exec.Version}`;
    }
    lines.push(line);
  }
  return { ok: true, lines };
}

export async function listJobs(o: { client: SSMClient; prefix: string }): Promise<string[]> {
  const entries = await createSsmCatalog({ client: o.client, prefix: checkPrefix(o.prefix), cacheMs: 0 }).listJobs();
  if (entries.length === 0) return [`No jobs under ${o.prefix}/jobs/.`];
  return entries.map((e) =>
    e.available
      ? `${e.name.padEnd(24)} ${e.job.type.padEnd(15)} invoke v${e.versions.invoke}${e.versions.execution ? `, execution v${e.versions.execution}` : ''}  ${e.job.title}`
      : `${e.name.padEnd(24)} UNAVAILABLE     ${e.reason}`,
  );
}
