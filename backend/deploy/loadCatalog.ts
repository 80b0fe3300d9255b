import { readFile } from 'node:fs/promises';
import { describeZodError, jobDefinitionSchema, type JobDefinition } from '../core/job';
import { readJobsDocument } from '../core/jobsFile';

/** The deploy's job catalog: every job must be valid, since permissions are generated from them. */
export async function loadCatalog(file: string): Promise<JobDefinition[]> {
  const doc = readJobsDocument(await readFile(file, 'utf8'));
  if ('reason' in doc) throw new Error(`${file}: ${doc.reason}`);
  return doc.jobs.map((raw, i) => {
    const parsed = jobDefinitionSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`${file}, job #${i + 1}: ${describeZodError(parsed.error)}`);
    return parsed.data;
  });
}
