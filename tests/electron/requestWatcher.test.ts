import { describe, expect, it } from 'vitest';
import { createRequestWatcher, notificationText } from '../../electron/main/requestWatcher';
import type { RequestView } from '../../backend/core/requestViews';
import type { DesktopResult, RequestLists } from '../../electron/shared/desktopApi';
import { ManualTimers } from '../support/manualTimers';


const aRequest = (id: string, o: Partial<RequestView> = {}): RequestView =>
  ({
    id, status: 'pending', job: { name: 'deploy', title: 'Deploy', type: 'local', target: 'deploy --env prod' }, params: { env: 'prod', note: 'top secret words' }, labels: {},
    configVersions: {}, fingerprint: 'K7QX-2M4P', intentHash: 'h', requester: { id: 'u1', name: 'ada' }, rule: { min: 2 } as never, approvals: [],
    missing: { people: 1, groups: {} }, createdAt: 0, expiresAt: 600_000, ...o,
  }) as RequestView;

function setup(o: { focused?: boolean } = {}) {
  const timers = new ManualTimers();
  let waiting: RequestView[] = [];
  let answer: () => DesktopResult<RequestLists> = () => ({ ok: true, value: { waiting, mine: [] } });
  const reads: number[] = [];
  const counts: number[] = [];
  const notes: { title: string; body: string; onClick: () => void }[] = [];
  const shown: string[] = [];
  const win = { focused: o.focused ?? false, isFocused() { return this.focused; }, isDestroyed: () => false };
  const watcher = createRequestWatcher({
    listRequests: async () => (reads.push(timers.time), answer()),
    window: () => win,
    notify: (n) => notes.push(n),
    showRequest: (id) => shown.push(id),
    waiting: (n) => counts.push(n),
    timers,
    everyMs: 20_000,
  });
  return { timers, reads, counts, notes, shown, win, watcher, set: (w: RequestView[]) => (waiting = w), answerWith: (f: typeof answer) => (answer = f) };
}

describe('main’s watcher of requests waiting for this person', () => {
  it('counts them at each read; a NEW one is announced once, only while the window is not focused; a click shows it', async () => {
    const s = setup({ focused: false });
    s.watcher.poke();
    await s.timers.advance(0);
    expect(s.counts).toEqual([0]);
    s.set([aRequest('req_1')]);
    await s.timers.advance(20_000);
    expect(s.counts.at(-1)).toBe(1);
    expect(s.notes.map((n) => [n.title, n.body])).toEqual([['Waiting for you: deploy', 'ada asks for a run of deploy. Fingerprint K7QX-2M4P.']]);
    // Seen: the next reads say nothing more about it.
    await s.timers.advance(60_000);
    expect(s.notes).toHaveLength(1);
    expect(s.shown).toEqual([]); // never moved anywhere by itself
    s.notes[0]!.onClick();
    expect(s.shown).toEqual(['req_1']);

    // Focused: a new request counts but is not announced (the person sees the badge), and is not announced later.
    s.win.focused = true;
    s.set([aRequest('req_1'), aRequest('req_2')]);
    await s.timers.advance(20_000);
    expect(s.counts.at(-1)).toBe(2);
    s.win.focused = false;
    await s.timers.advance(20_000);
    expect(s.notes).toHaveLength(1);
  });

  it('the notification names the job, who asked and the fingerprint, nothing else (no parameter, no target)', () => {
    const t = notificationText(aRequest('req_9', { proposer: { name: 'nightly-ci' }, reason: 'please' }));
    expect(t).toEqual({ title: 'Waiting for you: deploy', body: 'nightly-ci (automation) asks for a run of deploy. Fingerprint K7QX-2M4P.' });
    expect(JSON.stringify(t)).not.toMatch(/prod|secret|please|--env/);
  });

  it('backs off while reads fail, back to its interval once one succeeds', async () => {
    const s = setup();
    s.answerWith(() => ({ ok: false, error: { code: 'verifier_unreachable', message: 'down' } }));
    s.watcher.poke();
    await s.timers.advance(0);
    await s.timers.advance(1_000_000);
    const gaps = s.reads.slice(1).map((t, i) => t - s.reads[i]!);
    expect(gaps.slice(0, 4)).toEqual([40_000, 80_000, 160_000, 300_000]);
    expect(Math.max(...gaps)).toBe(300_000);
    s.answerWith(() => ({ ok: true, value: { waiting: [], mine: [] } }));
    const from = s.timers.time;
    await s.timers.advance(300_000);
    const after = s.reads.filter((t) => t > from);
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect(after.at(-1)! - after.at(-2)!).toBe(20_000);
  });

  it('stops on lock: no further reads, the count goes to 0; a read under way when it locked is dropped', async () => {
    const s = setup();
    s.set([aRequest('req_1')]);
    s.watcher.poke();
    await s.timers.advance(0);
    expect(s.counts).toEqual([1]);
    s.watcher.stop();
    expect(s.counts.at(-1)).toBe(0);
    const reads = s.reads.length;
    await s.timers.advance(600_000);
    expect(s.reads.length).toBe(reads);
    expect(s.watcher.running()).toBe(false);

    // The session ends under it (the read answers `locked`): it stops by itself.
    const t = setup();
    t.answerWith(() => ({ ok: false, error: { code: 'locked', message: 'Locked' } }));
    t.watcher.poke();
    await t.timers.advance(0);
    await t.timers.advance(600_000);
    expect(t.reads).toHaveLength(1);
    expect(t.watcher.running()).toBe(false);
  });

  it('a poke during a read reads again right after it (a decision just changed what waits)', async () => {
    const s = setup();
    let release: (() => void) | undefined;
    let first = true;
    const lists = (w: RequestView[]): DesktopResult<RequestLists> => ({ ok: true, value: { waiting: w, mine: [] } });
    s.answerWith(() => lists([aRequest('req_1')]));
    const watcher = createRequestWatcher({
      listRequests: async () => {
        s.reads.push(s.timers.time);
        if (first) {
          first = false;
          await new Promise<void>((r) => (release = r));
          return lists([aRequest('req_1')]);
        }
        return lists([]);
      },
      window: () => s.win,
      notify: () => undefined,
      showRequest: () => undefined,
      waiting: (n) => s.counts.push(n),
      timers: s.timers,
      everyMs: 20_000,
    });
    watcher.poke();
    await s.timers.advance(0);
    watcher.poke(); // while the first read is still waiting for its answer
    release!();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    await s.timers.advance(0);
    expect(s.reads).toEqual([0, 0]);
    expect(s.counts).toEqual([0]); // the stale answer (1) was not shown; the fresh one (0) was
  });
});
