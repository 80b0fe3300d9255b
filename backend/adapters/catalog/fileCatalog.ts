import { readFile, stat } from 'node:fs/promises';
import { canonicalJson } from '../../core/canonicalJson';
import { sha256 } from '../../core/encoding';
import { jobDefinitionSchema, type CatalogEntry, type JobType } from '../../core/job';
import { describeJobProblems } from '../../core/jobProblems';
import type { JobCatalog } from '../../core/ports';
import { readJobsDocument } from '../../core/jobsFile';

/**
 * Local mode's JobCatalog: a YAML or JSON file `{ jobs: [ … ] }` of job definitions (the same format the SSM
 * catalog uses). A job's version is the hash of its definition, so editing the file between a touch and
 * the launch is caught as `job_config_changed`. The file is re-read when it changes.
 */
export interface FileCatalogOptions {
  /** The job types this verifier has launchers for; others are listed as unavailable (local mode: "local"). */
  launchable?: ReadonlySet<JobType>;
}

export function createFileCatalog(path: string, options: FileCatalogOptions = {}): JobCatalog {
  let cached: { stamp: string; entries: CatalogEntry[] } | undefined;

  async function load(): Promise<CatalogEntry[]> {
    let stamp: string;
    try {
      const s = await stat(path);
      stamp = `${s.mtimeMs}:${s.size}`;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return [unavailable('(jobs file)', code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path} (${code})`)];
    }
    if (cached?.stamp === stamp) return cached.entries;
    const entries = parseJobsFile(await readFile(path, 'utf8'), options);
    cached = { stamp, entries };
    return entries;
  }

  return {
    listJobs: load,
    getJob: async (name) => (await load()).find((e) => e.name === name),
  };
}

export function parseJobsFile(text: string, options: FileCatalogOptions = {}): CatalogEntry[] {
  const doc = readJobsDocument(text);
  if ('reason' in doc) return [unavailable('(jobs file)', doc.reason)];
  const { jobs } = doc;
  const seen = new Map<string, number>();
  return jobs.map((raw, index): CatalogEntry => {
    const declared = (raw as { name?: unknown } | null)?.name;
    const name = typeof declared === 'string' ? declared.slice(0, 64) : `(job #${index + 1})`;
    const versions = { invoke: sha256(canonicalJson(raw ?? null)).toString('hex').slice(0, 16) };
    const first = seen.get(name);
    if (first !== undefined) return unavailable(name, `name "${name}" is already used by job #${first}`, versions);
    seen.set(name, index + 1);
    const parsed = jobDefinitionSchema.safeParse(raw);
    if (!parsed.success) return unavailable(name, describeJobProblems(raw, parsed.error, jobDefinitionSchema), versions);
    if (options.launchable && !options.launchable.has(parsed.data.type))
      return unavailable(name, `type "${parsed.data.type}" needs AWS mode (local mode runs "local" jobs only)`, versions);
    return { name, available: true, job: parsed.data, versions };
  });
}

const unavailable = (name: string, reason: string, versions: Record<string, string> = {}): CatalogEntry => ({ name, available: false, reason, versions });
