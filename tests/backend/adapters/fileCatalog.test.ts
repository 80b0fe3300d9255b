import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileCatalog, parseJobsFile } from '../../../backend/adapters/catalog/fileCatalog';
import { readFileSync } from 'node:fs';

const good = { name: 'a', title: 'A', type: 'local', allow: { roles: ['admin'] }, target: { argv: ['true'] } };

describe('local jobs file catalog', () => {
  it('lists an invalid job as unavailable with the reason, without failing the others', () => {
    const entries = parseJobsFile(JSON.stringify({ jobs: [good, { ...good, name: 'b', allow: { roles: [] } }, { ...good }, { name: 'c', type: 'rocket' }] }));
    expect(entries.map((e) => [e.name, e.available])).toEqual([['a', true], ['b', false], ['a', false], ['c', false]]);
    expect(entries[1]).toMatchObject({ reason: expect.stringContaining('allow') });
    expect(entries[2]).toMatchObject({ reason: 'another job has the same name' });
  });

  it('says what is wrong with a broken file', () => {
    expect(parseJobsFile('{')).toEqual([expect.objectContaining({ available: false, reason: expect.stringContaining('not valid YAML or JSON') })]);
    expect(parseJobsFile('{}')).toEqual([expect.objectContaining({ available: false, reason: 'the jobs file needs a "jobs" list' })]);
  });

  it('versions each job by its definition, and notices edits', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kl-cat-')), 'jobs.json');
    writeFileSync(file, JSON.stringify({ jobs: [good] }));
    const catalog = createFileCatalog(file);
    const v1 = (await catalog.getJob('a'))!.versions.invoke;
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(file, JSON.stringify({ jobs: [{ ...good, title: 'A, changed' }] }));
    const v2 = (await catalog.getJob('a'))!.versions.invoke;
    expect(v1).toMatch(/^[0-9a-f]{16}$/);
    expect(v2).not.toBe(v1);
  });

  it('the AWS example catalog has one valid job of each AWS type', () => {
    const entries = parseJobsFile(readFileSync('jobs/aws.example.yaml', 'utf8'));
    expect(entries.filter((e) => !e.available)).toEqual([]);
    expect(entries.map((e) => (e.available ? e.job.type : '')).sort()).toEqual(['ec2', 'ecs-task', 'lambda', 'ssm-command', 'step-functions']);
  });

  it('the shipped sample jobs are all valid', () => {
    const entries = parseJobsFile(readFileSync('jobs/local.jobs.json', 'utf8'));
    expect(entries.filter((e) => !e.available)).toEqual([]);
    expect(entries.length).toBeGreaterThanOrEqual(3);
  });
});
