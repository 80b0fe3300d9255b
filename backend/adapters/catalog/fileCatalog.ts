import { readFile, stat } from 'node:fs/promises';
import { canonicalJson } from '../../core/canonicalJson';
import { sha256 } from '../../core/encoding';
import { describeZodError, jobDefinitionSchema, type CatalogEntry } from '../../core/job';
import type { JobCatalog } from '../../core/ports';
import { readJobsDocument } from '../../core/jobsFile';

/**
 * Local mode's JobCatalog: a YAML or JSON file `{ jobs: [ … ] }` of job definitions (the same format the SSM
 * catalog uses). A job's version is the hash of its definition, so editing the file between a touch and
 * the launch is caught as `job_config_changed`. The file is re-read when it changes.
 */
export function createFileCatalog(path: string): JobCatalog {
  let cached: { stamp: string; entries: CatalogEntry[] } | undefined;

  async function load(): Promise<CatalogEntry[]> {
    let stamp: string;
    try {
      const s = await stat(path);
      stamp = `${s.mtimeMs}:${s.size}`;
    } catch {
      return [unavailable('(jobs file)', `cannot read ${path}`)];
    }
    if (cached?.stamp === stamp) return cached.entries;
    const entries = parseJobsFile(await readFile(path, 'utf8'));
    cached = { stamp, entries };
    return entries;
  }

  return {
    listJobs: load,
    getJob: async (name) => (await load()).find((e) => e.name === name),
  };
}

export function parseJobsFile(text: string): CatalogEntry[] {
  const doc = readJobsDocument(text);
  if ('reason' in doc) return [unavailable('(jobs file)', doc.reason)];
  const { jobs } = doc;
  const seen = new Set<string>();
  return jobs.map((raw, index): CatalogEntry => {
    const declared = (raw as { name?: unknown } | null)?.name;
    const name = typeof declared === 'string' ? declared.slice(0, 64) : `(job #${index + 1})`;
    const versions = { invoke: sha256(canonicalJson(raw ?? null)).toString('hex').slice(0, 16) };
    if (seen.has(name)) return unavailable(name, 'another job has the same name', versions);
    seen.add(name);
    const parsed = jobDefinitionSchema.safeParse(raw);
    if (!parsed.success) return unavailable(name, describeZodError(parsed.error), versions);
    return { name, available: true, job: parsed.data, versions };
  });
}

const unavailable = (name: string, reason: string, versions: Record<string, string> = {}): CatalogEntry => ({ name, available: false, reason, versions });
