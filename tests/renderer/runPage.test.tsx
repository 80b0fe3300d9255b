// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { AppContext } from '../../renderer/src/appContext';
import { RunView } from '../../renderer/src/screens/RunView';
import { History } from '../../renderer/src/screens/History';
import { RunJob } from '../../renderer/src/screens/RunJob';
import { OutputView, outputText } from '../../renderer/src/components/OutputView';
import { ansiPieces, plainText } from '../../renderer/src/runs/ansi';
import { elapsed, runHeading, statusAnnouncement } from '../../renderer/src/runs/runStatus';
import { runAgain } from '../../renderer/src/runs/runAgain';
import { paramDeclarationSchema, type ParamDeclaration } from '../../backend/core/job';
import type { Run, RunStatus } from '../../backend/core/model';
import type { OutputLine } from '../../backend/core/ports';
import type { JobSummary } from '../../backend/core/queries';
import type { RequestView } from '../../backend/core/requestViews';
import { fakeDesktop } from '../support/fakeDesktop';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

export const aRun = (o: Partial<Run> = {}): Run => ({
  id: 'run_1', job: 'deploy', params: { env: 'prod', count: 2, otp: '[secret]' }, intentHash: 'h', fingerprint: 'K7QX-2M4P', configVersions: { invoke: '1' },
  userId: 'u1', userName: 'ada', credentialId: 'c', sourceIp: '127.0.0.1', status: 'running', createdAt: 1_000_000, updatedAt: 1_000_000,
  receipt: { credentialId: 'c', authenticatorData: 'a', clientDataJSON: 'b', signature: 's' }, ...o,
});
const lines = (from: number, n: number, text = (i: number) => `line ${i}`): OutputLine[] => Array.from({ length: n }, (_, k) => ({ seq: from + k, stream: 'stdout', text: text(from + k) }));
const ok = <T,>(value: T) => ({ ok: true as const, value });
const assertion = async () => ({ id: 'c', rawId: 'c', type: 'public-key', response: { authenticatorData: 'a', clientDataJSON: 'b', signature: 's' }, clientExtensionResults: {} }) as never;

describe('the run page heading tells the truth', () => {
  it.each([
    ['running', undefined, 'Running', 'live'],
    ['launching', undefined, 'Starting', 'live'],
    ['accepted', undefined, 'Accepted', 'queued'],
    ['succeeded', undefined, 'Succeeded', 'good'],
    ['failed', { code: 'job_failed', message: 'exited with code 3' }, 'Failed', 'bad'],
    ['failed', { code: 'spot_price_too_high', message: 'too high' }, 'Not launched', 'bad'],
    ['failed', { code: 'launch_failed', message: 'no' }, 'Not launched', 'bad'],
    ['cancelled', undefined, 'Cancelled', 'stopped'],
    ['lost', { code: 'verifier_restarted', message: 'x' }, 'Lost', 'unknown'],
    ['ended', undefined, 'Ended', 'unknown'],
  ] as [RunStatus, Run['failure'], string, string][])('%s (%j) reads "%s"', (status, failure, word, tone) => {
    expect(runHeading(aRun({ status, ...(failure ? { failure } : {}) }))).toMatchObject({ word, tone });
  });

  it('running and succeeded are not the same colour, and nothing reads "Launched"', () => {
    expect(runHeading(aRun({ status: 'running' })).tone).not.toBe(runHeading(aRun({ status: 'succeeded' })).tone);
    for (const s of ['launching', 'running', 'accepted', 'succeeded', 'failed', 'ended', 'lost', 'cancelled'] as RunStatus[]) expect(runHeading(aRun({ status: s })).word).not.toMatch(/^launched/i);
  });

  it('elapsed time runs from the start while running, and stops at the end', () => {
    expect(elapsed(aRun({ startedAt: 1_000_000 }), 1_125_000)).toBe('2 min 05 s');
    expect(elapsed(aRun({ status: 'succeeded', startedAt: 1_000_000, endedAt: 1_007_000 }), 9_999_999)).toBe('7 s');
  });
});

describe('ANSI output', () => {
  it('renders colours and bold as classes, 256 and true colours as rgb, and shows no escape code', () => {
    const pieces = ansiPieces('plain \u001b[31mred\u001b[0m \u001b[1;32mok\u001b[0m \u001b[38;5;196mX\u001b[38;2;1;2;3mT\u001b[0m\u001b]0;title\u0007\u001b[2K end');
    expect(pieces.map((p) => p.text).join('')).toBe('plain red ok XT end');
    expect(pieces.find((p) => p.text === 'red')!.classes).toBe('ansi-red-fg');
    expect(pieces.find((p) => p.text === 'ok')!.classes).toBe('ansi-bold ansi-green-fg');
    expect(pieces.find((p) => p.text === 'X')!.fg).toBe('rgb(255, 0, 0)');
    expect(pieces.find((p) => p.text === 'T')!.fg).toBe('rgb(1, 2, 3)');
    expect(pieces.every((p) => !/[\u0000-\u0008\u000b-\u001f]/.test(p.text))).toBe(true);
  });

  it('output that looks like markup stays text', () => {
    const { container } = render(<OutputView lines={[{ seq: 1, stream: 'stdout', text: '\u001b[31m<img src=x onerror=alert(1)><script>alert(2)</script>\u001b[0m' }]} label="Output" />);
    expect(container.querySelector('img, script')).toBeNull();
    expect(screen.getByRole('log').textContent).toContain('<img src=x onerror=alert(1)><script>alert(2)</script>');
    expect(container.querySelector('.ansi-red-fg')).not.toBeNull();
  });

  it('copy and save take the text without escape codes', () => {
    expect(plainText('\u001b[1;31mboom\u001b[0m')).toBe('boom');
    expect(outputText(lines(1, 2))).toBe('line 1\nline 2\n');
  });

  it('renders only a window of a long output: 10,000 lines put at most a few hundred rows in the page', () => {
    const { container } = render(<OutputView lines={lines(1, 10_000)} label="Output" />);
    const rows = container.querySelectorAll('.line');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(200);
    // Opened at the end: the last line is among those rendered.
    expect(container.querySelector('[data-seq="10000"]')).not.toBeNull();
  });
});

/** A running run whose status and output the test moves forward, page by page. */
function liveDesktop(o: { status?: () => RunStatus; pages: () => { lines: OutputLine[]; done: boolean } }) {
  let cursor = 0;
  return fakeDesktop({
    getRun: async () => ok({ run: aRun({ status: o.status?.() ?? 'running' }) }),
    runOutput: async (input) => {
      const page = o.pages();
      const fresh = page.lines.filter((l) => l.seq > Number(input.cursor ?? 0));
      cursor = fresh.at(-1)?.seq ?? cursor;
      return ok({ lines: fresh, ...(page.done ? {} : { cursor: String(cursor) }), done: page.done, truncated: false });
    },
  });
}

function renderRunView(desktop: ReturnType<typeof fakeDesktop>['desktop'], run = aRun(), onRunAgain?: (r: Run) => Promise<string | undefined>) {
  return render(
    <AppContext.Provider value={{ desktop, ceremony: { authenticate: assertion, register: assertion } }}>
      <RunView run={run} backLabel="Jobs" onBack={() => undefined} {...(onRunAgain ? { onRunAgain } : {})} />
    </AppContext.Provider>,
  );
}

describe('following a run live', () => {
  it('shows output as it arrives, in order, and the end, without a refresh; then stops asking', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    let produced: OutputLine[] = lines(1, 2);
    let status: RunStatus = 'running';
    const { desktop, calls } = liveDesktop({ status: () => status, pages: () => ({ lines: produced, done: status !== 'running' }) });
    renderRunView(desktop);
    await act(() => vi.advanceTimersByTimeAsync(10));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Running');
    expect(screen.getByRole('log').textContent).toBe('line 1line 2');

    produced = lines(1, 5);
    await act(() => vi.advanceTimersByTimeAsync(2000));
    expect(screen.getByRole('log').textContent).toBe('line 1line 2line 3line 4line 5');

    status = 'succeeded';
    await act(() => vi.advanceTimersByTimeAsync(3000));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Succeeded');
    expect(screen.queryByRole('button', { name: 'Cancel run' })).toBeNull();
    const asked = calls.length;
    await act(() => vi.advanceTimersByTimeAsync(120_000));
    expect(calls.length).toBe(asked); // ended and read to the end: no more polling
  });

  it('announces a change of status politely ("Run succeeded"), and not the status it opened with', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    let status: RunStatus = 'running';
    const { desktop } = liveDesktop({ status: () => status, pages: () => ({ lines: lines(1, 1), done: status !== 'running' }) });
    renderRunView(desktop);
    await act(() => vi.advanceTimersByTimeAsync(10));
    const region = screen.getByTestId('run-status-announcement');
    expect(region.getAttribute('role')).toBe('status');
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.textContent).toBe('');
    status = 'succeeded';
    await act(() => vi.advanceTimersByTimeAsync(3000));
    expect(region.textContent).toBe('Run succeeded');
  });

  it('the spoken status is the heading’s word: a failed start is "Run not launched"', () => {
    expect(statusAnnouncement(aRun({ status: 'failed', failure: { code: 'spot_price_too_high', message: 'x' } }))).toBe('Run not launched');
    expect(statusAnnouncement(aRun({ status: 'failed', failure: { code: 'job_failed', message: 'x' } }))).toBe('Run failed');
    expect(statusAnnouncement(aRun({ status: 'running' }))).toBe('Run started');
    expect(statusAnnouncement(aRun({ status: 'cancelled' }))).toBe('Run cancelled');
  });

  it('the output region can be reached and scrolled by keyboard, and headings go h1 → h2 with no jump', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const { desktop } = liveDesktop({ pages: () => ({ lines: lines(1, 3), done: false }) });
    const { container } = renderRunView(desktop);
    await act(() => vi.advanceTimersByTimeAsync(10));
    const log = screen.getByRole('log', { name: 'Output' });
    expect(log.tabIndex).toBe(0);
    expect(screen.getByRole('heading', { level: 2, name: 'Output' })).toBeTruthy();
    const levels = [...container.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1]));
    levels.forEach((level, i) => expect(level - (levels[i - 1] ?? 0)).toBeLessThanOrEqual(1));
  });

  it('backs off while nothing changes, and leaving the page stops every request (no leak)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const { desktop, calls } = liveDesktop({ pages: () => ({ lines: [], done: false }) });
    const view = renderRunView(desktop);
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    const inFirstMinute = calls.filter(([m]) => m === 'getRun').length;
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    const inSecondMinute = calls.filter(([m]) => m === 'getRun').length - inFirstMinute;
    expect(inSecondMinute).toBeLessThan(inFirstMinute);
    expect(inSecondMinute).toBeGreaterThan(0);
    view.unmount();
    const before = calls.length;
    await act(() => vi.advanceTimersByTimeAsync(600_000));
    expect(calls.length).toBe(before);
  });

  it('keeps at most 5,000 lines in memory and says how many earlier ones are not shown', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const all = lines(1, 12_000);
    const { desktop } = liveDesktop({ status: () => 'succeeded', pages: () => ({ lines: all, done: true }) });
    // Pages of at most 500, as the route serves them.
    const page = desktop.runOutput;
    desktop.runOutput = async (input) => {
      const r = await page(input);
      if (!r.ok) return r;
      const lines = r.value.lines.slice(0, input.limit ?? 500);
      const more = lines.length < r.value.lines.length;
      return ok({ ...r.value, lines, done: !more, ...(more ? { cursor: String(lines.at(-1)!.seq) } : {}) });
    };
    const { container } = renderRunView(desktop, aRun({ status: 'succeeded' }));
    await act(() => vi.advanceTimersByTimeAsync(5000));
    expect(screen.getByText(/The first 7,000 lines are not shown here/)).toBeTruthy();
    expect(container.querySelector('[data-seq="12000"]')).not.toBeNull();
    expect(container.querySelector('.output-space')!.getAttribute('style')).toContain(`height: ${5000 * 18}px`);
  });

  it('a verifier without the output route: the record’s own stdout is shown', async () => {
    const { desktop } = fakeDesktop({
      getRun: async () => ok({ run: aRun({ status: 'succeeded', launch: { launcher: 'local', summary: 'exited with code 0', stdout: 'hello\n' } }) }),
      runOutput: async () => ({ ok: false, error: { code: 'not_found', message: 'no route' } }),
    });
    renderRunView(desktop, aRun({ status: 'succeeded', launch: { launcher: 'local', summary: 'exited with code 0', stdout: 'hello\n' } }));
    await waitFor(() => expect(screen.getByLabelText('Standard output').textContent).toBe('hello\n'));
    // Focusable so a keyboard can scroll a long output; a log, under an h2 like the live one.
    expect(screen.getByRole('log', { name: 'Standard output' }).tabIndex).toBe(0);
    expect(screen.getByRole('heading', { level: 2, name: 'Output' })).toBeTruthy();
  });

  it('copy and save go through main with the plain text; the console link opens through main', async () => {
    const { desktop, calls } = fakeDesktop({
      getRun: async () => ok({ run: aRun({ status: 'succeeded' }) }),
      runOutput: async () => ok({ lines: [{ seq: 1, stream: 'stdout', text: '\u001b[32mdone\u001b[0m' }], done: true, truncated: false, consoleUrl: 'https://console.aws.amazon.com/x' }),
      copyText: async () => ok(true),
      saveOutput: async () => ok(true),
      openExternal: async () => ok(true),
    });
    renderRunView(desktop, aRun({ status: 'succeeded' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Copy output' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save output…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Open in the AWS console' }));
    await waitFor(() => expect(calls.filter(([m]) => ['copyText', 'saveOutput', 'openExternal'].includes(m))).toEqual([
      ['copyText', { text: 'done\n' }],
      ['saveOutput', { runId: 'run_1', text: 'done\n' }],
      ['openExternal', { url: 'https://console.aws.amazon.com/x' }],
    ]));
  });
});

describe('cancel with a touch', () => {
  it('Cancel run asks main for a cancel intent, waits for the touch, confirms it, and shows Cancelled with who', async () => {
    const cancelled = aRun({ status: 'cancelled', cancelledBy: { userId: 'u2', userName: 'lin', at: 1_001_000, fingerprint: 'ZZZZ-9999' } });
    const { desktop, calls } = fakeDesktop({
      getRun: async () => ok({ run: aRun() }),
      runOutput: async () => ok({ lines: [], cursor: '0', done: false, truncated: false }),
      startCancelRun: async () => ok({ intentId: 'int_c', options: { challenge: 'c', rpId: 'x' } as never, fingerprint: 'ZZZZ-9999', expiresAt: Date.now() + 60_000, run: {} as never, job: {} as never }),
      finishCancelRun: async () => ok({ run: cancelled }),
    });
    renderRunView(desktop);
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel run' }));
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Cancelled'));
    expect(screen.getByText(/Stopped by lin/)).toBeTruthy();
    expect(calls.filter(([m]) => m === 'startCancelRun' || m === 'finishCancelRun')).toEqual([
      ['startCancelRun', { runId: 'run_1' }],
      ['finishCancelRun', { intentId: 'int_c', assertion: expect.objectContaining({ id: 'c' }) }],
    ]);
  });

  it('declined in main’s review: nothing is confirmed, the run keeps running and says why', async () => {
    const { desktop, calls } = fakeDesktop({
      getRun: async () => ok({ run: aRun() }),
      runOutput: async () => ok({ lines: [], cursor: '0', done: false, truncated: false }),
      startCancelRun: async () => ({ ok: false, error: { code: 'approval_declined', message: 'declined' } }),
    });
    renderRunView(desktop);
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel run' }));
    await screen.findByText('Declined');
    expect(calls.some(([m]) => m === 'finishCancelRun')).toBe(false);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Running');
  });

  it('no Cancel run on a run that is not running', async () => {
    const { desktop } = fakeDesktop({ getRun: async () => ok({ run: aRun({ status: 'accepted' }) }), runOutput: async () => ok({ lines: [], done: true, truncated: false }) });
    renderRunView(desktop, aRun({ status: 'accepted' }));
    await screen.findByRole('heading', { name: 'Accepted' });
    expect(screen.queryByRole('button', { name: 'Cancel run' })).toBeNull();
  });
});

const decl = (d: Record<string, unknown>) => paramDeclarationSchema.parse(d) as ParamDeclaration;
const params = [
  decl({ name: 'env', title: 'Environment', type: 'enum', values: ['staging', 'prod'], required: true }),
  decl({ name: 'count', type: 'integer', min: 1, max: 5, default: 1 }),
  decl({ name: 'otp', type: 'string', secret: true, required: true }),
];
const job: JobSummary = { name: 'deploy', title: 'Deploy', type: 'local', available: true, target: 'local: deploy.sh', params, userVerification: 'discouraged' };

describe('run again', () => {
  it('fills the form with the run’s non-secret values; secrets start empty', () => {
    const again = runAgain(params, aRun());
    expect(again.values).toEqual({ env: 'prod', count: '2', otp: '' });
    expect(again.changes).toEqual(['otp is secret: enter it again.']);
  });

  it('says what changed in the job since the run: a new, a dropped and a narrowed parameter', () => {
    const now = [decl({ name: 'env', title: 'Environment', type: 'enum', values: ['staging'], required: true }), decl({ name: 'region', type: 'string', default: 'eu-west-1' })];
    const again = runAgain(now, aRun({ params: { env: 'prod', count: 2 } }));
    expect(again.changes).toEqual([
      'region is new since that run; it starts at its default, eu-west-1.',
      'count was a parameter of that run; the job no longer has it.',
      'Environment: that run’s value "prod" is no longer accepted (One of staging).',
    ]);
  });

  it('says when the job’s definition changed since the run, even with the same parameters (its config versions differ)', () => {
    const run = aRun({ configVersions: { invoke: 'a1' } });
    expect(runAgain(params, run, { invoke: 'a1' }).changes).toEqual(['otp is secret: enter it again.']);
    expect(runAgain(params, run, { invoke: 'b2' }).changes[0]).toBe('The job’s definition changed since that run (invoke config): check what it runs in the review before you touch your key.');
    expect(runAgain(params, run, { invoke: 'a1', execution: '7' }).changes[0]).toMatch(/^The job’s definition changed since that run \(execution config\)/);
  });

  it('the form opens filled and says so; review and touch are a new approval', async () => {
    const { desktop, calls } = fakeDesktop({
      prepareRun: async () => ok({ intentId: 'int_2', options: { challenge: 'c', rpId: 'x' } as never, fingerprint: 'AAAA-BBBB', expiresAt: Date.now() + 60_000, job: { name: 'deploy', title: 'Deploy', type: 'local', target: 'x' }, params: { env: 'prod', count: 2 }, labels: {}, secretParams: ['otp'], mfaCode: 'none' }),
      confirmRun: async () => ok({ run: aRun({ id: 'run_2' }) }),
    });
    render(
      <AppContext.Provider value={{ desktop, ceremony: { authenticate: assertion, register: assertion } }}>
        <RunJob job={job} from={aRun()} onBack={() => undefined} onLaunched={() => undefined} />
      </AppContext.Provider>,
    );
    expect((screen.getByLabelText('count') as HTMLInputElement).value).toBe('2');
    expect((screen.getByLabelText('otp (required)') as HTMLInputElement).value).toBe('');
    expect(screen.getByRole('region', { name: 'Run again' }).textContent).toContain('otp is secret: enter it again.');
    fireEvent.change(screen.getByLabelText('otp (required)'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review and run' }));
    await waitFor(() => expect(calls.map(([m]) => m)).toEqual(['prepareRun', 'confirmRun']));
    expect(calls[0]![1]).toEqual({ job: 'deploy', params: { env: 'prod', count: 2 } });
  });

  it('a confirmation that opens a pending request (a job with approvals) says it is not launched yet, and launches nothing on screen', async () => {
    const request = {
      id: 'req_1', status: 'pending', job: { name: 'deploy', title: 'Deploy', type: 'local', target: 'x' }, params: { env: 'prod' }, labels: {}, configVersions: {},
      fingerprint: 'CCCC-DDDD', intentHash: 'h', requester: { id: 'u', name: 'ada' }, rule: { min: 2, groups: { sre: 1 }, requesterCounts: true, ttl: 3600 },
      approvals: [{ userId: 'u', userName: 'ada', groups: [], at: 1 }], missing: { people: 1, groups: { sre: 1 } }, createdAt: 1, expiresAt: Date.now() + 3_600_000,
    } as unknown as RequestView;
    const { desktop } = fakeDesktop({
      prepareRun: async () => ok({ intentId: 'int_3', options: { challenge: 'c', rpId: 'x' } as never, fingerprint: 'CCCC-DDDD', expiresAt: Date.now() + 60_000, job: { name: 'deploy', title: 'Deploy', type: 'local', target: 'x' }, params: { env: 'prod', count: 2 }, labels: {}, secretParams: ['otp'], mfaCode: 'none' }),
      confirmRun: async () => ok({ request }),
    });
    const launched: Run[] = [];
    render(
      <AppContext.Provider value={{ desktop, ceremony: { authenticate: assertion, register: assertion } }}>
        <RunJob job={job} onBack={() => undefined} onLaunched={(r) => launched.push(r)} />
      </AppContext.Provider>,
    );
    fireEvent.change(screen.getByLabelText('Environment (required)'), { target: { value: 'prod' } });
    fireEvent.change(screen.getByLabelText('otp (required)'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review and run' }));
    const panel = await screen.findByRole('status', { name: 'Waiting for approval: not launched yet' });
    expect(panel.textContent).toContain('needs 1 more person (1 from sre)');
    expect(panel.textContent).toContain('req_1');
    expect(panel.textContent).toContain('CCCC-DDDD');
    expect(launched).toEqual([]);
  });

  it('History rows and the run page offer Run again for that run', async () => {
    const runs = [aRun({ id: 'run_a', status: 'succeeded' }), aRun({ id: 'run_b', status: 'failed', failure: { code: 'job_failed', message: 'x' } })];
    const { desktop } = fakeDesktop({ listRuns: async () => ok({ runs }), getRun: async () => ok({ run: runs[0]! }), runOutput: async () => ok({ lines: [], done: true, truncated: false }) });
    const asked: string[] = [];
    const onRunAgain = async (r: Run) => (asked.push(r.id), undefined);
    render(
      <AppContext.Provider value={{ desktop, ceremony: { authenticate: assertion, register: assertion } }}>
        <History me="ada" onOpen={() => undefined} onRunAgain={onRunAgain} />
      </AppContext.Provider>,
    );
    const buttons = await screen.findAllByRole('button', { name: /^Run again: deploy,/ });
    fireEvent.click(buttons[1]!);
    cleanup();
    renderRunView(desktop, runs[0]!, onRunAgain);
    fireEvent.click(await screen.findByRole('button', { name: 'Run again' }));
    await waitFor(() => expect(asked).toEqual(['run_b', 'run_a']));
  });
});
