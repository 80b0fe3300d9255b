import type { Run } from '../../../backend/core/model';
import type { OutputLine } from '../../../backend/core/ports';
import type { DesktopError, DesktopResult, RunOutput } from '../../../electron/shared/desktopApi';
import { hasEnded } from './runStatus';

/**
 * Follows one run until it ends (issue 12 §3): its record and its output, polled through main, faster
 * while something changes and backing off while nothing does; stops once the run has ended and its
 * output is read to the end, or when stopped (the page closed). Keeps at most `maxLines` lines.
 * Pure of React and of real time: the page and the tests give it their own timers.
 */
export interface FollowerDeps {
  getRun(input: { runId: string }): Promise<DesktopResult<{ run: Run }>>;
  runOutput(input: { runId: string; cursor?: string; limit: number }): Promise<DesktopResult<RunOutput>>;
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  onChange(view: FollowView): void;
  maxLines?: number;
}

export interface FollowView {
  run: Run;
  /** The newest lines kept, in order. */
  lines: readonly OutputLine[];
  /** Lines seen but no longer kept here (the bound), and lines the verifier itself dropped. */
  dropped: number;
  truncated: boolean;
  consoleUrl?: string;
  /** False when the verifier has no output route for this run: the run record's stdout/stderr are all there is. */
  outputAvailable: boolean;
  /** Still polling. */
  live: boolean;
  error?: DesktopError;
}

export const MAX_LINES = 5000;
export const PAGE = 500;
const FAST_MS = 1000;
const SLOW_MS = 10_000;
const PAGES_PER_TICK = 20;

export function followRun(initial: Run, deps: FollowerDeps) {
  const maxLines = deps.maxLines ?? MAX_LINES;
  let view: FollowView = { run: initial, lines: [], dropped: 0, truncated: false, outputAvailable: true, live: true };
  let cursor: string | undefined;
  let outputDone = false;
  let lastSeq = -Infinity;
  let delay = FAST_MS;
  let timer: unknown;
  let stopped = false;

  const publish = (next: Partial<FollowView>) => {
    view = { ...view, ...next };
    if (!stopped) deps.onChange(view);
  };

  /** Reads output pages until none is full; true when new lines came. */
  async function readOutput(): Promise<boolean> {
    let fresh: OutputLine[] = [];
    let truncated = view.truncated;
    let consoleUrl = view.consoleUrl;
    for (let i = 0; i < PAGES_PER_TICK && !outputDone && !stopped; i++) {
      const r = await deps.runOutput({ runId: initial.id, ...(cursor ? { cursor } : {}), limit: PAGE });
      if (!r.ok) {
        // No such route (a verifier without it): the record's own output is all there is.
        if (r.error.code === 'not_found') {
          outputDone = true;
          publish({ outputAvailable: false });
          return false;
        }
        throw r.error;
      }
      const page = r.value;
      // Lines are ordered by seq; one already seen (a repeated page) is not shown twice.
      for (const line of page.lines) if (line.seq > lastSeq) (fresh.push(line), (lastSeq = line.seq));
      truncated ||= page.truncated;
      consoleUrl = page.consoleUrl ?? consoleUrl;
      if (page.cursor) cursor = page.cursor;
      outputDone = page.done;
      if (page.lines.length < PAGE) break;
    }
    if (fresh.length === 0 && truncated === view.truncated && consoleUrl === view.consoleUrl) return false;
    const all = view.lines.length + fresh.length > maxLines ? [...view.lines, ...fresh] : view.lines.concat(fresh);
    const over = Math.max(0, all.length - maxLines);
    publish({ lines: over ? all.slice(over) : all, dropped: view.dropped + over, truncated, ...(consoleUrl ? { consoleUrl } : {}) });
    return fresh.length > 0;
  }

  async function tick() {
    timer = undefined;
    let changed = false;
    try {
      let fresh: Run | undefined;
      // Until its output is read to the end, the record may still change after the run ended (a cancelled
      // local job's exit lands on it), so it is read as long as the output is.
      if (!hasEnded(view.run.status) || !outputDone) {
        const r = await deps.getRun({ runId: initial.id });
        if (!r.ok) throw r.error;
        const stale = hasEnded(view.run.status) && !hasEnded(r.value.run.status); // an end is never undone by an older read
        if (!stale && (r.value.run.status !== view.run.status || r.value.run.updatedAt !== view.run.updatedAt)) fresh = r.value.run;
      }
      // Output read after the record: once the page says the run ended, it also shows the output up to that end.
      if (!outputDone) changed = await readOutput();
      if (fresh) (publish({ run: fresh }), (changed = true));
      if (view.error) publish({ error: undefined });
    } catch (e) {
      publish({ error: e as DesktopError });
      // A locked app or a session that ended will not come back by polling.
      if ((e as DesktopError).code === 'locked') return stop();
    }
    if (stopped) return;
    if (hasEnded(view.run.status) && outputDone) return stop();
    delay = changed ? FAST_MS : Math.min(SLOW_MS, Math.round(delay * 1.5));
    timer = deps.timers.setTimeout(() => void tick(), delay);
  }

  function stop() {
    if (timer !== undefined) deps.timers.clearTimeout(timer);
    timer = undefined;
    if (!stopped && view.live) publish({ live: false });
    stopped = true;
  }

  void tick();
  return {
    stop,
    /** A newer record from elsewhere (e.g. the cancel's answer): shown at once, and followed on. */
    update(run: Run) {
      if (stopped) return;
      publish({ run });
      if (timer !== undefined) {
        deps.timers.clearTimeout(timer);
        delay = FAST_MS;
        timer = deps.timers.setTimeout(() => void tick(), 0);
      }
    },
  };
}
