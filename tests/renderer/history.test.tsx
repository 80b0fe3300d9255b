// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { AppContext } from '../../renderer/src/appContext';
import { History } from '../../renderer/src/screens/History';
import { ago, duration } from '../../renderer/src/timeWords';
import { fakeDesktop } from '../support/fakeDesktop';

afterEach(cleanup);

describe('times in words', () => {
  it('says how long ago, and how long a run took', () => {
    const now = 1_800_000_000_000;
    expect(ago(now - 30_000, now)).toBe('30 seconds ago');
    expect(ago(now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(ago(now - 3 * 3_600_000, now)).toBe('3 hours ago');
    expect(ago(now - 86_400_000, now)).toBe('yesterday');
    expect(duration(4_400)).toBe('4 s');
    expect(duration(65_000)).toBe('1 min 5 s');
    expect(duration(2 * 3_600_000 + 60_000)).toBe('2 h 1 min');
  });
});

describe('history', () => {
  const now = Date.now();
  const run = (id: string, job: string, userName: string, status: string) => ({ id, job, userName, status, fingerprint: `${id.toUpperCase()}-0000`, createdAt: now - 120_000, updatedAt: now - 60_000, params: {} }) as never;
  const runs = [run('a1', 'echo', 'ada', 'succeeded'), run('b2', 'deploy', 'grace', 'failed'), run('c3', 'echo', 'grace', 'running')];

  it('filters by mine/everyone, job and status, with relative times and durations of ended runs', async () => {
    const { desktop } = fakeDesktop({ listRuns: async () => ({ ok: true, value: { runs } }) });
    render(
      <AppContext.Provider value={{ desktop, ceremony: {} as never }}>
        <History me="ada" onOpen={() => undefined} />
      </AppContext.Provider>,
    );
    const rows = async () => (await screen.findAllByRole('row')).slice(1);
    expect(await rows()).toHaveLength(3);
    expect((await rows())[0]!.textContent).toContain('2 minutes ago');
    expect((await rows())[0]!.textContent).toContain('took 1 min');
    expect((await rows())[2]!.textContent).not.toContain('took'); // still running
    fireEvent.change(screen.getByLabelText('Who'), { target: { value: 'mine' } });
    expect((await rows()).map((r) => within(r).getAllByRole('cell')[2]!.textContent)).toEqual(['ada']);
    fireEvent.change(screen.getByLabelText('Who'), { target: { value: 'all' } });
    fireEvent.change(screen.getByLabelText('Job'), { target: { value: 'echo' } });
    expect(await rows()).toHaveLength(2);
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'running' } });
    expect((await rows()).map((r) => within(r).getAllByRole('cell')[1]!.textContent)).toEqual(['echo']);
    expect(screen.getByText(/1 of 3 loaded runs/)).toBeTruthy();
  });
});
