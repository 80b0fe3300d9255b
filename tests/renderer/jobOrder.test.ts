import { describe, expect, it } from 'vitest';
import { orderJobs } from '../../renderer/src/jobOrder';
import { loadPinned } from '../../renderer/src/localPrefs';

const job = (name: string, title: string) => ({ name, title, type: 'local', available: true, params: [] }) as never;
const run = (jobName: string, userName: string, createdAt: number) => ({ job: jobName, userName, createdAt }) as never;

describe('job order for the list and the palette', () => {
  const jobs = [job('a', 'Alpha'), job('b', 'Bravo'), job('c', 'Charlie'), job('d', 'Delta')];
  it('pinned first, then my most recent runs, then by title; a query filters', () => {
    const order = orderJobs(jobs, { pinned: ['d'], recentRuns: [run('b', 'ada', 1), run('c', 'ada', 2), run('a', 'grace', 3)], me: 'ada' });
    expect(order.map((j: { name: string }) => j.name)).toEqual(['d', 'c', 'b', 'a']);
    expect(orderJobs(jobs, { pinned: [], recentRuns: [], query: 'ha' }).map((j: { name: string }) => j.name)).toEqual(['a', 'c']);
  });
  it('a damaged pin list in storage means no pins, not a crash', () => {
    expect(loadPinned()).toEqual([]); // no localStorage here at all
  });
});
