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
    expect(entries[2]).toMatchObject({ reason: 'name "a" is already used by job #1' });
    expect(entries[3]).toMatchObject({ reason: expect.stringContaining('type "rocket" is not one of local, lambda') });
  });

  it('says what is wrong with a broken file', () => {
    // JSON gets the JSON parser's message, with a line and column; YAML the YAML parser's.
    expect(parseJobsFile('{\n  "jobs": [ { "name": "a", } ]\n}')).toEqual([
      expect.objectContaining({ available: false, reason: expect.stringMatching(/^the jobs file is not valid JSON: .*\(line 2 column \d+\)$/) }),
    ]);
    expect(parseJobsFile('jobs:\n  - name: a\n bad: [')).toEqual([expect.objectContaining({ available: false, reason: expect.stringContaining('not valid YAML') })]);
    expect(parseJobsFile('{}')).toEqual([expect.objectContaining({ available: false, reason: 'the jobs file needs a "jobs" list' })]);
  });

  it('names the bad value of each broken job, with the likely fix', () => {
    const entries = parseJobsFile(
      JSON.stringify({
        jobs: [
          { ...good, name: 'b', type: 'lcoal' },
          { ...good, name: 'c', titel: 'x' },
          { ...good, name: 'd', target: undefined },
          { ...good, name: 'e', target: { argv: ['echo', '{{who}}'] } },
          { ...good, name: 'f', target: { argv: ['true'], timeoutSecond: 3 } },
          { ...good, name: 'g', params: [{ name: 'x', type: 'strng' }] },
        ],
      }),
    );
    expect(entries.map((e) => (e.available ? 'ok' : e.reason))).toEqual([
      'type "lcoal" is not one of local, lambda, ec2, ssm-command, ecs-task, step-functions (did you mean "local"?)',
      'unknown field "titel" (did you mean "title"?)',
      'target is missing',
      'target.argv.1 "{{who}}": {{who}} is not a declared non-secret parameter',
      'unknown field "target.timeoutSecond" (did you mean "timeoutSeconds"?)',
      'params.0.type "strng" is not one of string, integer, number, boolean, enum (did you mean "string"?)',
    ]);
  });

  it('lists job types it cannot launch as unavailable, saying they need AWS mode', () => {
    const entries = parseJobsFile(JSON.stringify({ jobs: [good, { name: 'fn', title: 'F', type: 'lambda', allow: { roles: ['admin'] } }] }), { launchable: new Set(['local']) });
    expect(entries.map((e) => [e.name, e.available])).toEqual([['a', true], ['fn', false]]);
    expect(entries[1]).toMatchObject({ reason: 'type "lambda" needs AWS mode (local mode runs "local" jobs only)' });
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
