// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { AppContext } from '../../renderer/src/appContext';
import { AuditLog } from '../../renderer/src/components/AuditLog';
import { fakeDesktop } from '../support/fakeDesktop';
import type { AuditEntry } from '../../backend/core/model';

afterEach(cleanup);

const now = Date.now();
const entry = (id: string, minutesAgo: number, action: string, outcome: AuditEntry['outcome'], userName?: string, more: Partial<AuditEntry> = {}): AuditEntry => ({
  id, at: now - minutesAgo * 60_000, action, outcome, sourceIp: '127.0.0.1', ...(userName ? { userName } : {}), ...more,
});
const newer = [entry('a1', 2, 'run.confirm', 'accepted', 'ada', { job: 'echo', fingerprint: 'AAAA-BBBB' }), entry('a2', 5, 'unlock.verify', 'refused', 'grace', { code: 'bad_signature' })];
const older = [entry('a3', 90, 'run.confirm', 'failed', 'grace', { job: 'deploy' }), entry('a4', 120, 'unlock.options', 'accepted')];

function show() {
  const { desktop, calls } = fakeDesktop({
    listAudit: async (input) => ({ ok: true, value: input.cursor === 'c1' ? { entries: older } : { entries: newer, cursor: 'c1' } }),
  });
  render(
    <AppContext.Provider value={{ desktop, ceremony: {} as never }}>
      <AuditLog />
    </AppContext.Provider>,
  );
  const rows = async () => (await screen.findAllByRole('row')).slice(1);
  const column = async (i: number) => (await rows()).map((r) => within(r).getAllByRole('cell')[i]!.textContent);
  return { calls, rows, column };
}

describe('the admin’s audit log', () => {
  it('lists a page newest first with relative times (absolute in the title), then older entries by cursor', async () => {
    const { calls, rows, column } = show();
    expect(await column(1)).toEqual(['run.confirm', 'unlock.verify']);
    const when = within((await rows())[0]!).getByText('2 minutes ago');
    expect(when.getAttribute('title')).toBe(new Date(now - 120_000).toLocaleString());
    expect((await rows())[0]!.textContent).toContain('echo · AAAA-BBBB');
    expect((await rows())[1]!.textContent).toContain('bad_signature');

    fireEvent.click(screen.getByRole('button', { name: 'Older entries' }));
    expect(await screen.findByText(/4 of 4 loaded entries/)).toBeTruthy();
    expect(await column(1)).toEqual(['run.confirm', 'unlock.verify', 'run.confirm', 'unlock.options']);
    expect(calls).toEqual([['listAudit', { limit: 50 }], ['listAudit', { limit: 50, cursor: 'c1' }]]);
    expect(screen.queryByRole('button', { name: 'Older entries' })).toBeNull(); // the last page has no cursor
  });

  it('filters the loaded entries by outcome, action and person', async () => {
    const { rows, column } = show();
    await rows();
    fireEvent.click(screen.getByRole('button', { name: 'Older entries' }));
    await screen.findByText(/4 of 4/);
    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'accepted' } });
    expect(await column(1)).toEqual(['run.confirm', 'unlock.options']);
    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'run.confirm' } });
    expect(await column(2)).toEqual(['accepted', 'failed']);
    fireEvent.change(screen.getByLabelText('Person'), { target: { value: 'grace' } });
    expect(await column(2)).toEqual(['failed']);
    expect(screen.getByText(/1 of 4 loaded entries/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'refused' } });
    expect(screen.queryAllByRole('row').slice(1)).toHaveLength(0);
  });

  it('shows the verifier’s refusal with its code and a retry', async () => {
    const { desktop, calls } = fakeDesktop({ listAudit: async () => ({ ok: false, error: { code: 'not_authorized', message: 'Only an admin may do this.' } }) });
    render(
      <AppContext.Provider value={{ desktop, ceremony: {} as never }}>
        <AuditLog />
      </AppContext.Provider>,
    );
    expect((await screen.findByRole('alert')).getAttribute('data-code')).toBe('not_authorized');
    expect(screen.getByText(/Only an admin may do this/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByRole('alert');
    expect(calls.map(([m]) => m)).toEqual(['listAudit', 'listAudit']);
  });
});
