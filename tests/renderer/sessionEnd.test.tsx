// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { AppContext } from '../../renderer/src/appContext';
import { SessionEnd } from '../../renderer/src/components/SessionEnd';
import { loadTheme, saveTheme } from '../../renderer/src/localPrefs';
import { fakeDesktop } from '../support/fakeDesktop';

afterEach(cleanup);
const user = { id: 'u', name: 'ada', role: 'operator' as const };
const ok = async () => ({ id: 'c', rawId: 'c', type: 'public-key', response: {}, clientExtensionResults: {} }) as never;

describe('warnings before the app locks', () => {
  it('before the session’s hard end: says when, and renews it with a touch', async () => {
    const now = 1_000_000;
    const renewed = { user, expiresAt: now + 8 * 3_600_000, idleLockAt: now + 300_000 };
    const { desktop, calls } = fakeDesktop({
      startUnlock: async () => ({ ok: true, value: { intentId: 'i', options: { challenge: 'c' } as never, expiresAt: Date.now() + 60_000 } }),
      finishUnlock: async () => ({ ok: true, value: renewed }),
    });
    const got: unknown[] = [];
    render(
      <AppContext.Provider value={{ desktop, ceremony: { authenticate: ok, register: ok } }}>
        <SessionEnd session={{ user, expiresAt: now + 150_000, idleLockAt: now + 150_000 }} now={now} onRenewed={(s) => got.push(s)} />
      </AppContext.Provider>,
    );
    expect(screen.getByRole('alert').textContent).toContain('Your session ends in 2:30');
    fireEvent.click(screen.getByRole('button', { name: 'Renew with a touch' }));
    await waitFor(() => expect(got).toEqual([renewed]));
    expect(calls.map(([m]) => m)).toEqual(['startUnlock', 'finishUnlock']);
  });

  it('before the idle lock: says any input keeps it unlocked; nothing when far from either', () => {
    const now = 1_000_000;
    const { desktop } = fakeDesktop();
    const { rerender } = render(
      <AppContext.Provider value={{ desktop, ceremony: { authenticate: ok, register: ok } }}>
        <SessionEnd session={{ user, expiresAt: now + 3_600_000, idleLockAt: now + 45_000 }} now={now} onRenewed={() => undefined} />
      </AppContext.Provider>,
    );
    expect(screen.getByRole('alert').textContent).toContain('keylaunch locks in 0:45 without activity');
    rerender(
      <AppContext.Provider value={{ desktop, ceremony: { authenticate: ok, register: ok } }}>
        <SessionEnd session={{ user, expiresAt: now + 3_600_000, idleLockAt: now + 240_000 }} now={now} onRenewed={() => undefined} />
      </AppContext.Provider>,
    );
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('preferences kept across restarts', () => {
  it('the theme choice is stored and read back; anything else reads as "system"', () => {
    expect(loadTheme()).toBe('system');
    saveTheme('dark');
    expect(loadTheme()).toBe('dark');
    localStorage.setItem('keylaunch.theme', '<script>');
    expect(loadTheme()).toBe('system');
  });
});
