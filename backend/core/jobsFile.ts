import { parse } from 'yaml';

/**
 * The jobs file format, shared by local mode's catalog and `npm run jobs -- push`: YAML or JSON (YAML
 * reads both), a document `{ jobs: [ … ] }`. Returns the raw job objects, or why the file is unusable.
 */
export function readJobsDocument(text: string): { jobs: unknown[] } | { reason: string } {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch (e) {
    return { reason: `the jobs file is not valid YAML or JSON (${(e as Error).message.split('\n')[0]})` };
  }
  const jobs = (doc as { jobs?: unknown } | null)?.jobs;
  if (!Array.isArray(jobs)) return { reason: 'the jobs file needs a "jobs" list' };
  return { jobs };
}
