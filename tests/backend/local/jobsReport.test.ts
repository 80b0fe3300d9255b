import { describe, expect, it } from 'vitest';
import { describeJobs } from '../../../backend/local/jobsReport';
import { jobDefinitionSchema, type CatalogEntry } from '../../../backend/core/job';

/** What npm start prints about the jobs file, including a job that names a destination local.json lacks. */
describe('describeJobs', () => {
  const job = (name: string, notify?: string[]): CatalogEntry => ({
    name,
    available: true,
    job: jobDefinitionSchema.parse({ name, title: name, type: 'local', allow: { roles: ['admin'] }, target: { argv: ['/bin/true'] }, ...(notify ? { notify } : {}) }),
    versions: { invoke: '1', execution: '1' },
  } as CatalogEntry);

  it('lists ready and broken jobs', () => {
    expect(describeJobs([job('a'), { name: 'b', available: false, reason: 'type "lcoal" is not one of local' } as CatalogEntry])).toEqual([
      '    1 ready: a',
      '    1 unavailable:',
      '      b: type "lcoal" is not one of local',
    ]);
  });

  it('says at start which job names a destination local.json does not define (deploy would refuse it)', () => {
    expect(describeJobs([job('a', ['chat', 'pager']), job('b', ['chat'])], ['chat'])).toEqual([
      '    2 ready: a, b',
      "    a notifies pager, which local.json's notifications.destinations do not define: nothing will be sent there.",
    ]);
    expect(describeJobs([job('a', ['constructor'])], [])).toContain("    a notifies constructor, which local.json's notifications.destinations do not define: nothing will be sent there.");
  });
});
