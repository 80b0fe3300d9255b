import type { JobCatalog } from '../../core/ports';
import { loadOnFirstUse } from '../loadOnFirstUse';

/**
 * A job catalog loaded on first use: unlocking (the first touch of the day) reads no catalog, so a cold
 * start need not load the SSM client before it.
 */
export function lazyCatalog(load: () => Promise<JobCatalog>): JobCatalog {
  const get = loadOnFirstUse(load);
  return {
    listJobs: async () => (await get()).listJobs(),
    getJob: async (name, options) => (await get()).getJob(name, options),
  };
}
