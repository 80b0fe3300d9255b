// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { AppContext } from '../../renderer/src/appContext';
import { Waiting } from '../../renderer/src/screens/Waiting';
import { Header } from '../../renderer/src/components/Header';
import { myRequests } from '../../renderer/src/myRequests';
import type { RequestView } from '../../backend/core/requestViews';
import type { Run } from '../../backend/core/model';
import { fakeDesktop } from '../support/fakeDesktop';

afterEach(() => {
  cleanup();
  myRequests.clear();
});

const ok = <T,>(value: T) => ({ ok: true as const, value });
const assertion = async () => ({ id: 'c', rawId: 'c', type: 'public-key', response: { authenticatorData: 'a', clientDataJSON: 'b', signature: 's' }, clientExtensionResults: {} }) as never;
const aRequest = (id: string, o: Partial<RequestView> = {}): RequestView =>
  ({
    id, status: 'pending', job: { name: 'deploy', title: 'Deploy', type: 'local', target: 'deploy --env prod' }, params: { env: 'prod' }, labels: { env: 'Environment' },
    configVersions: {}, fingerprint: 'K7QX-2M4P', intentHash: 'h', requester: { id: 'u1', name: 'ada' }, rule: { min: 2 } as never,
    approvals: [{ userId: 'u1', userName: 'ada', groups: [], at: 1 }], missing: { people: 1, groups: { sre: 1 } }, createdAt: 1, expiresAt: Date.now() + 600_000, ...o,
  }) as RequestView;

function renderWaiting(desktop: ReturnType<typeof fakeDesktop>['desktop'], opened: Run[] = []) {
  const counts: number[] = [];
  render(
    <AppContext.Provider value={{ desktop, ceremony: { authenticate: assertion, register: assertion } }}>
      <Waiting refreshed={0} onCount={(n) => counts.push(n)} onOpenRun={(r) => opened.push(r)} />
    </AppContext.Provider>,
  );
  return counts;
}

describe('Waiting for you', () => {
  it('shows each request as it will run, and a decision is asked for that request through main, then sent for it', async () => {
    const r = aRequest('req_1', { proposer: { name: 'nightly-ci' }, reason: 'found a fix' });
    const { desktop, calls } = fakeDesktop({
      listRequests: async () => ok({ waiting: [r], mine: [] }),
      startDecision: async () => ok({ intentId: 'int_9', options: { challenge: 'c', rpId: 'x' } as never, fingerprint: r.fingerprint, expiresAt: Date.now() + 60_000, request: r }),
      finishDecision: async () => ok({ request: { ...r, status: 'launched', runId: 'run_7' } as RequestView, run: { id: 'run_7' } as Run }),
    });
    const counts = renderWaiting(desktop);
    const card = await screen.findByRole('region', { name: 'Deploy for nightly-ci (automation)' });
    expect(card.textContent).toContain('Proposed bynightly-ci (automation), for ada');
    expect(card.textContent).toContain('Reason givenfound a fix');
    expect(card.textContent).toContain('Environment (env): "prod"');
    expect(card.textContent).toContain('Still needed1 more person (1 from sre)');
    expect(card.textContent).toContain('K7QX-2M4P');
    expect(counts).toEqual([1]);

    fireEvent.click(screen.getByRole('button', { name: 'Approve nightly-ci (automation)’s run of Deploy' }));
    await screen.findByRole('status', { name: 'You approved nightly-ci (automation)’s run of Deploy: the run launched.' });
    const sent = calls.filter(([m]) => m === 'startDecision' || m === 'finishDecision');
    expect(sent).toEqual([
      ['startDecision', { requestId: 'req_1', decision: 'approve' }],
      ['finishDecision', { requestId: 'req_1', decision: 'approve', intentId: 'int_9', assertion: expect.objectContaining({ id: 'c' }) }],
    ]);
  });

  it('a refusal in main (declined, not accepted) shows its reason and sends nothing more', async () => {
    const r = aRequest('req_1');
    const { desktop, calls } = fakeDesktop({
      listRequests: async () => ok({ waiting: [r], mine: [] }),
      startDecision: async () => ({ ok: false, error: { code: 'approval_declined', message: 'You declined it in keylaunch’s review; nothing was approved.' } }),
    });
    renderWaiting(desktop);
    fireEvent.click(await screen.findByRole('button', { name: 'Reject ada’s run of Deploy' }));
    // The sheet explains the code (renderer/src/explain.ts).
    await screen.findByText('You declined it in keylaunch’s review window. Nothing was approved or run.', { exact: false });
    expect(calls.map(([m]) => m)).not.toContain('finishDecision');
  });

  it('your requests: open ones with progress, and closed ones with how they ended and the way to the run', async () => {
    myRequests.remember('req_done');
    myRequests.remember('req_no');
    const { desktop } = fakeDesktop({
      listRequests: async () => ok({ waiting: [], mine: [aRequest('req_open')] }),
      getRequest: async (input) =>
        ok({
          request:
            input.requestId === 'req_done'
              ? aRequest('req_done', { status: 'launched', runId: 'run_5', fingerprint: 'AAAA-BBBB' })
              : aRequest('req_no', { status: 'rejected', rejectedBy: { userId: 'u2', userName: 'bob', at: 2 }, fingerprint: 'CCCC-DDDD' }),
        }),
      getRun: async () => ok({ run: { id: 'run_5' } as Run }),
    });
    const opened: Run[] = [];
    renderWaiting(desktop, opened);
    const list = await screen.findByRole('list', { name: 'Your requests' });
    await waitFor(() => expect(list.querySelectorAll('li')).toHaveLength(3));
    const items = [...list.querySelectorAll('li')].map((li) => li.textContent);
    expect(items[0]).toContain('waiting for approval');
    expect(items[0]).toContain('still needs 1 more person');
    expect(items.find((t) => t!.includes('CCCC-DDDD'))).toContain('rejected by bob');
    fireEvent.click(screen.getByRole('button', { name: 'Open the run of Deploy (AAAA-BBBB)' }));
    await waitFor(() => expect(opened.map((r) => r.id)).toEqual(['run_5']));
    expect(screen.getByText('Nothing is waiting for your approval.')).toBeTruthy();
  });

  it('the nav counts what waits, in words for a screen reader', () => {
    const session = { user: { id: 'u', name: 'bob', role: 'operator' as const }, expiresAt: Date.now() + 600_000, idleLockAt: Date.now() + 300_000 };
    const { desktop } = fakeDesktop();
    const header = (waiting: number) => (
      <AppContext.Provider value={{ desktop, ceremony: { authenticate: assertion, register: assertion } }}>
        <Header session={session} section="jobs" waiting={waiting} onNavigate={() => undefined} onLock={() => undefined} onRenewed={() => undefined} onHelp={() => undefined} theme="system" onTheme={() => undefined} />
      </AppContext.Provider>
    );
    render(header(2));
    // (jsdom's name computation drops the space before the hidden words; Chromium keeps it)
    expect(screen.getByRole('button', { name: /^Waiting for you ?\(2 waiting\)$/ })).toBeTruthy();
    cleanup();
    render(header(0));
    expect(screen.getByRole('button', { name: 'Waiting for you' })).toBeTruthy();
  });

  it('text from a job definition, a proposer or the verifier is shown, not obeyed: format characters (bidi overrides, zero-width) are named, in the list as in main’s dialog', async () => {
    const r = aRequest('req_bidi', {
      job: { name: 'deploy', title: 'Restart \u202Ebew', type: 'local', target: 'deploy \u2066--env\u2069 prod' },
      labels: { env: 'Environment\u200B' },
      proposer: { name: 'nightly-ci' },
      reason: 'routine\u202E',
    });
    const { desktop } = fakeDesktop({ listRequests: async () => ok({ waiting: [r], mine: [] }) });
    renderWaiting(desktop);
    const card = await waitFor(() => {
      const found = document.getElementById('request-req_bidi');
      if (!found) throw new Error('not yet');
      return found;
    });
    const shown = [card.textContent ?? '', ...[...card.querySelectorAll('[aria-label]')].map((e) => e.getAttribute('aria-label') ?? '')].join('\n');
    expect(shown).not.toMatch(/\p{Cf}/u);
    expect(shown).toContain('Restart <U+202E>bew');
    expect(shown).toContain('Environment<U+200B> (env)');
    expect(shown).toContain('<U+2066>--env<U+2069>');
    expect(shown).toContain('routine<U+202E>');
  });

  it('a parameter named toString with no label is shown by its name, never as a function’s source', async () => {
    const r = aRequest('req_proto', { params: { toString: 'a' }, labels: {} });
    const { desktop } = fakeDesktop({ listRequests: async () => ok({ waiting: [r], mine: [] }) });
    renderWaiting(desktop);
    const card = await waitFor(() => {
      const found = document.getElementById('request-req_proto');
      if (!found) throw new Error('not yet');
      return found;
    });
    expect(card.textContent).toContain('toString: "a"');
    expect(card.textContent).not.toContain('native code');
  });
});
