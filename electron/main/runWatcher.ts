import type { Run } from '../../backend/core/model';
import type { DesktopResult } from '../shared/desktopApi';

/**
 * Issue 12 §6: when a run the person started from this app ends while its window is not in front, the OS
 * says how it ended; clicking that shows the run. Main watches those runs itself (the run page may be
 * closed long before), with passive reads that never hold off the idle lock, backing off to a poll a
 * minute. A run that ends while the window is focused says nothing here: the person is looking at the app,
 * and it never takes them anywhere they did not ask to go.
 */
export interface WatcherDeps {
  getRun(runId: string): Promise<DesktopResult<{ run: Run }>>;
  window(): { isFocused(): boolean; isDestroyed(): boolean } | undefined;
  notify(n: { title: string; body: string; onClick: () => void }): void;
  /** Focuses the window and asks the renderer to show this run. */
  showRun(runId: string): void;
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
}

const ENDED = new Set(['succeeded', 'failed', 'ended', 'lost', 'cancelled']);
const FIRST_MS = 2000;
const MAX_MS = 60_000;
/** Runs watched at once; the oldest is dropped past this (a bound on what one session can make main poll). */
const MAX_WATCHED = 20;
/** Read failures in a row after which a run is no longer watched (the verifier is gone, or the run is). */
const MAX_FAILURES = 10;

export function endedText(run: Run): { title: string; body: string } {
  const how: Record<string, string> = {
    succeeded: 'succeeded',
    failed: run.failure?.code === 'job_failed' || !run.failure ? 'failed' : 'was not launched',
    ended: 'ended (EC2 cannot say whether it succeeded)',
    lost: 'was lost (the verifier stopped while it ran)',
    cancelled: run.cancelledBy ? `was cancelled by ${run.cancelledBy.userName}` : 'was cancelled',
  };
  const title = `${run.job} ${how[run.status] ?? run.status}`;
  return { title, body: run.failure?.message ? `${run.failure.message}\nClick to see the run.` : 'Click to see the run.' };
}

export function createRunWatcher(deps: WatcherDeps) {
  const watched = new Map<string, { timer: unknown; delay: number; failures: number }>();

  const forget = (runId: string) => {
    const w = watched.get(runId);
    if (w?.timer !== undefined) deps.timers.clearTimeout(w.timer);
    watched.delete(runId);
  };

  const schedule = (runId: string) => {
    const w = watched.get(runId);
    if (!w) return;
    w.timer = deps.timers.setTimeout(() => void check(runId), w.delay);
    w.delay = Math.min(MAX_MS, w.delay * 2);
  };

  async function check(runId: string) {
    const w = watched.get(runId);
    if (!w) return;
    w.timer = undefined;
    const r = await deps.getRun(runId);
    if (!watched.has(runId)) return; // forgotten (locked) while asking
    if (!r.ok) {
      // Locked: the token is gone, and so is the session these runs were watched for.
      if (r.error.code === 'locked' || ++w.failures >= MAX_FAILURES) return forget(runId);
      return schedule(runId);
    }
    w.failures = 0;
    if (!ENDED.has(r.value.run.status)) return schedule(runId);
    forget(runId);
    ended(r.value.run);
  }

  function ended(run: Run) {
    const win = deps.window();
    if (!win || win.isDestroyed() || win.isFocused()) return;
    deps.notify({ ...endedText(run), onClick: () => deps.showRun(run.id) });
  }

  return {
    /** A run just launched: watch it until it ends (an already ended one is said at once). */
    watch(run: Run) {
      if (watched.has(run.id)) return;
      if (ENDED.has(run.status)) return ended(run);
      if (watched.size >= MAX_WATCHED) forget(watched.keys().next().value!);
      watched.set(run.id, { timer: undefined, delay: FIRST_MS, failures: 0 });
      schedule(run.id);
    },
    /** Lock: nothing is watched for a session that is over. */
    clear() {
      for (const runId of [...watched.keys()]) forget(runId);
    },
    watching: () => [...watched.keys()],
  };
}
export type RunWatcher = ReturnType<typeof createRunWatcher>;
