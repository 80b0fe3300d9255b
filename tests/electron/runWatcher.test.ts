import { describe, expect, it } from 'vitest';
import { createRunWatcher, endedText } from '../../electron/main/runWatcher';
import { createSessionHolder } from '../../electron/main/sessionHolder';
import type { Run, RunStatus } from '../../backend/core/model';
import type { DesktopResult } from '../../electron/shared/desktopApi';
import { ManualTimers } from '../support/manualTimers';


const aRun = (o: Partial<Run> = {}): Run =>
  ({ id: 'run_1', job: 'backup', params: {}, intentHash: 'h', fingerprint: 'K7QX-2M4P', configVersions: {}, userId: 'u', userName: 'ada', credentialId: 'c', sourceIp: '1', status: 'running', createdAt: 0, updatedAt: 0, receipt: {} as never, ...o }) as Run;

function setup(o: { focused?: boolean } = {}) {
  const timers = new ManualTimers();
  const status = new Map<string, RunStatus>();
  const reads: string[] = [];
  const notes: { title: string; body: string; onClick: () => void }[] = [];
  const shown: string[] = [];
  const win = { focused: o.focused ?? false, isFocused() { return this.focused; }, isDestroyed: () => false };
  let answer: (runId: string) => DesktopResult<{ run: Run }> = (runId) => ({ ok: true, value: { run: aRun({ id: runId, status: status.get(runId) ?? 'running' }) } });
  const watcher = createRunWatcher({
    getRun: async (runId) => (reads.push(runId), answer(runId)),
    window: () => win,
    notify: (n) => notes.push(n),
    showRun: (runId) => shown.push(runId),
    timers,
  });
  return { timers, status, reads, notes, shown, win, watcher, answerWith: (f: typeof answer) => (answer = f) };
}

describe('a run the person started ends while the window is not focused', () => {
  it('the OS says how it ended; clicking shows that run', async () => {
    const s = setup();
    s.watcher.watch(aRun());
    await s.timers.advance(10_000);
    expect(s.notes).toEqual([]);
    s.status.set('run_1', 'failed');
    s.answerWith((id) => ({ ok: true, value: { run: aRun({ id, status: 'failed', failure: { code: 'job_failed', message: 'exited with code 3' } }) } }));
    await s.timers.advance(120_000);
    expect(s.notes.map((n) => [n.title, n.body])).toEqual([['backup failed', 'exited with code 3\nClick to see the run.']]);
    expect(s.shown).toEqual([]); // never moved anywhere by itself
    s.notes[0]!.onClick();
    expect(s.shown).toEqual(['run_1']);
    const reads = s.reads.length;
    await s.timers.advance(600_000);
    expect(s.reads.length).toBe(reads); // ended: no longer watched
  });

  it('says nothing when the window is focused (the person is looking), and never navigates', async () => {
    const s = setup({ focused: true });
    s.watcher.watch(aRun());
    s.status.set('run_1', 'succeeded');
    await s.timers.advance(10_000);
    expect(s.notes).toEqual([]);
    expect(s.shown).toEqual([]);
    expect(s.watcher.watching()).toEqual([]);
  });

  it('backs off while the run goes on (2 s doubling to a minute)', async () => {
    const s = setup();
    s.watcher.watch(aRun());
    await s.timers.advance(62_000); // 2 + 4 + 8 + 16 + 32
    expect(s.reads.length).toBe(5);
    await s.timers.advance(600_000);
    expect(s.reads.length).toBe(5 + 10);
  });

  it('a lock stops every watch: nothing is read or said for a session that is over', async () => {
    const s = setup();
    s.watcher.watch(aRun({ id: 'run_a' }));
    s.watcher.watch(aRun({ id: 'run_b' }));
    s.watcher.clear();
    s.status.set('run_a', 'succeeded');
    await s.timers.advance(600_000);
    expect(s.reads).toEqual([]);
    expect(s.notes).toEqual([]);
  });

  it('a locked answer ends the watch; at most 20 runs are watched at once', async () => {
    const s = setup();
    s.answerWith(() => ({ ok: false, error: { code: 'locked', message: 'locked' } }));
    s.watcher.watch(aRun());
    await s.timers.advance(3000);
    expect(s.watcher.watching()).toEqual([]);
    for (let i = 0; i < 25; i++) s.watcher.watch(aRun({ id: `run_${i}` }));
    expect(s.watcher.watching()).toHaveLength(20);
    expect(s.watcher.watching()[0]).toBe('run_5');
  });

  it.each([
    [{ status: 'succeeded' }, 'backup succeeded'],
    [{ status: 'failed', failure: { code: 'spot_price_too_high', message: 'too high' } }, 'backup was not launched'],
    [{ status: 'cancelled', cancelledBy: { userId: 'u2', userName: 'lin', at: 0, fingerprint: 'x' } }, 'backup was cancelled by lin'],
    [{ status: 'lost' }, 'backup was lost (the verifier stopped while it ran)'],
  ] as [Partial<Run>, string][])('%j reads "%s"', (run, title) => {
    expect(endedText(aRun(run)).title).toBe(title);
  });
});

describe('following a run is not activity', () => {
  it('peek (the run page and the watcher polling) never holds off the idle lock; use does', () => {
    const timers = new ManualTimers();
    const locked: string[] = [];
    const holder = createSessionHolder({ timers, onLocked: (r) => locked.push(r), idleMs: 300_000 });
    holder.set('tok', { id: 'u', name: 'ada', role: 'operator' }, 3_600_000);
    for (let t = 0; t < 290_000; t += 10_000) {
      timers.time = t;
      expect(holder.peek()).toBe('tok');
    }
    timers.time = 300_000;
    expect(holder.peek()).toBeUndefined();
    expect(locked).toEqual(['idle']);
  });
});
