import type { Launcher } from '../../backend/core/ports';
import { CHROMIUM, enrollAndUnlock, startDesktopE2e, startRun } from '../support/desktopE2e';
import { existsSync } from 'node:fs';

/**
 * (g) The UI's cost of following a run's output (issue 12 §3), in Chromium with the production renderer,
 * main's handlers and a real verifier: a run whose launcher reveals 10,000 lines (one in ten coloured) at
 * about 1,000 a second, followed by the run page as a person would see it, beside the same page following
 * a run that prints nothing for as long. Inside the page: the longest gap between animation frames (what
 * a person sees as a stall: the longest main-thread task plus its frame) and the long tasks Chromium
 * reports (each over 50 ms).
 */
const LINES = 10_000;
const PER_SECOND = 1000;

function streamingLauncher(total: number): Launcher {
  const started = new Map<string, number>();
  const text = (i: number) => (i % 10 === 0 ? `\u001b[32m[${i}]\u001b[0m step ${i}: building module ${i % 97} of 97 \u001b[1mok\u001b[0m` : `[${i}] step ${i}: copying files, ${i * 7} bytes so far, nothing to report`);
  return {
    launch: async (request) => {
      started.set(request.runId, Date.now());
      return { status: 'running', details: { launcher: 'local', summary: `bench stream of ${total} lines` } };
    },
    output: async (_details, request) => {
      const since = started.get(request.runId) ?? Date.now();
      const revealed = Math.min(total, Math.floor(((Date.now() - since) / 1000) * PER_SECOND));
      const from = request.cursor ? Number(request.cursor) : 0;
      const to = Math.min(revealed, from + request.limit);
      const lines = Array.from({ length: to - from }, (_, k) => ({ seq: from + k, stream: 'stdout' as const, text: text(from + k) }));
      const done = to >= total;
      return { lines, ...(done ? {} : { cursor: String(to) }), done, truncated: false };
    },
  };
}

interface Stalls {
  longestFrameGap: number;
  longTasks: number[];
  shownLines: number;
}

async function follow(total: number, durationMs: number): Promise<Stalls> {
  const e = await startDesktopE2e({ userName: 'bench', harness: { launchers: { local: streamingLauncher(total) } } });
  try {
    await e.addKey();
    await enrollAndUnlock(e, 'bench');
    // A string, not a function: tsx would wrap a named inner function in a helper the page does not have.
    await e.page.evaluate(`(() => {
      const f = (window.__follow = { gaps: [], tasks: [], last: undefined, on: true });
      new PerformanceObserver((list) => list.getEntries().forEach((t) => f.tasks.push(t.duration))).observe({ type: 'longtask', buffered: false });
      const frame = (t) => {
        if (f.last !== undefined) f.gaps.push(t - f.last);
        f.last = t;
        if (f.on) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    })()`);
    await startRun(e, /Echo parameters/, { 'message (required)': 'bench' });
    await e.page.locator('section.run').waitFor({ timeout: 15_000 });
    if (total > 0) await e.page.locator(`[data-seq="${total - 1}"]`).waitFor({ timeout: 120_000 });
    else await new Promise((r) => setTimeout(r, durationMs));
    return await e.page.evaluate(() => {
      const w = window as unknown as { __follow: { gaps: number[]; tasks: number[]; on: boolean } };
      w.__follow.on = false;
      return { longestFrameGap: Math.max(0, ...w.__follow.gaps), longTasks: w.__follow.tasks, shownLines: document.querySelectorAll('.output .line').length };
    });
  } finally {
    await e.close();
  }
}

export async function benchFollow(verdict: (label: string, value: number, aim: number, unit?: string) => void) {
  if (!existsSync(CHROMIUM)) return console.log(`(g) following output: skipped, no Chromium at ${CHROMIUM}`);
  const t = Date.now();
  const busy = await follow(LINES, 0);
  const took = Date.now() - t;
  const idle = await follow(0, Math.max(5000, took - 8000));
  const longest = (s: Stalls) => (s.longTasks.length ? `${Math.max(...s.longTasks).toFixed(0)} ms (${s.longTasks.length} over 50 ms)` : 'none over 50 ms');
  console.log(`(g) following a run's output in Chromium: ${LINES.toLocaleString()} lines at ~${PER_SECOND}/s, beside a run printing nothing`);
  console.log(`    longest main-thread task (Long Tasks API): ${longest(busy)}; baseline ${longest(idle)}`);
  console.log(`    longest gap between frames: ${busy.longestFrameGap.toFixed(1)} ms; baseline ${idle.longestFrameGap.toFixed(1)} ms; rows in the page at the end: ${busy.shownLines}`);
  verdict('(g) longest frame gap following 10,000 lines / baseline', busy.longestFrameGap / Math.max(idle.longestFrameGap, 1000 / 60), 3);
  verdict('(g) longest main-thread task following 10,000 lines', Math.max(0, ...busy.longTasks), 50, ' ms');
}
