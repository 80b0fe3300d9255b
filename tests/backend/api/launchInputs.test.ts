import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/harness';
import { sampleJobs } from '../../support/sampleJobs';

/** Issue 11 §4 through the API: a broken or unsafe job is listed unavailable and never prepared. */
const jobs = [
  ...sampleJobs,
  { name: 'bad-pattern', title: 'Bad pattern', type: 'local', params: [{ name: 'x', type: 'string', pattern: '([a-z]' }], allow: { roles: ['operator'] }, target: { argv: ['true'] } },
  { name: 'shell-free-text', title: 'Shell, free text', type: 'local', params: [{ name: 'x', type: 'string' }], allow: { roles: ['operator'] }, target: { argv: ['sh', '-c', 'echo {{x}}'] } },
];

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ jobs });
});
afterAll(() => h.close());

describe('unavailable jobs', () => {
  it.each([
    ['bad-pattern', /not a valid regular expression/],
    ['shell-free-text', /reaches a shell/],
  ])('%s is listed unavailable with the reason, and preparing it answers job_unavailable (not 500)', async (name, reason) => {
    const user = await h.enroll();
    const token = await h.session(user);
    const listed = await h.api('GET', '/v1/jobs', undefined, token);
    const entry = listed.body.jobs.find((j: any) => j.name === name);
    expect(entry).toMatchObject({ available: false });
    expect(JSON.stringify(entry)).toMatch(reason);
    const prep = await h.api('POST', '/v1/runs/prepare', { job: name, params: { x: 'a' } }, token);
    expect(prep.status).toBe(409);
    expect(prep.body.error.code).toBe('job_unavailable');
  });
});
