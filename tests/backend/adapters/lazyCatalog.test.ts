import { describe, expect, it } from 'vitest';
import { lazyCatalog } from '../../../backend/adapters/catalog/lazyCatalog';
import type { JobCatalog } from '../../../backend/core/ports';

describe('lazy catalog', () => {
  it('loads nothing until asked, then once; a failed load is tried again', async () => {
    let attempts = 0;
    const inner: JobCatalog = { listJobs: async () => [], getJob: async (name, o) => ({ name, available: false, reason: `fresh=${o?.fresh}`, versions: {} }) };
    const catalog = lazyCatalog(async () => {
      if (++attempts === 1) throw new Error('throttled at start');
      return inner;
    });
    expect(attempts).toBe(0);
    await expect(catalog.listJobs()).rejects.toThrow('throttled at start');
    expect(await catalog.listJobs()).toEqual([]);
    expect(await catalog.getJob('x', { fresh: true })).toMatchObject({ reason: 'fresh=true' });
    expect(attempts).toBe(2);
  });
});
