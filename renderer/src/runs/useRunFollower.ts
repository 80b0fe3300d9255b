import { useEffect, useRef, useState } from 'react';
import type { Run } from '../../../backend/core/model';
import { useApp } from '../appContext';
import { followRun, type FollowView } from './runFollower';
import { hasEnded } from './runStatus';

const browserTimers = {
  setTimeout: (fn: () => void, ms: number) => window.setTimeout(fn, ms),
  clearTimeout: (h: unknown) => window.clearTimeout(h as number),
};

/** The page's side of ./runFollower.ts: follows while mounted, stops when the page goes (no leak). */
export function useRunFollower(initial: Run) {
  const { desktop } = useApp();
  const [view, setView] = useState<FollowView>({ run: initial, lines: [], dropped: 0, truncated: false, outputAvailable: true, live: true });
  const follower = useRef<ReturnType<typeof followRun> | undefined>(undefined);
  useEffect(() => {
    const f = followRun(initial, { getRun: desktop.getRun, runOutput: desktop.runOutput, timers: browserTimers, onChange: setView });
    follower.current = f;
    return () => f.stop();
  }, [initial.id, desktop]);
  return { view, update: (run: Run) => follower.current?.update(run) };
}

/** Now, every second while the run has not ended (for the elapsed time); still once it has. */
export function useClock(run: Run): number {
  const [now, setNow] = useState(() => Date.now());
  const ended = hasEnded(run.status);
  useEffect(() => {
    if (ended) return;
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, [ended]);
  return now;
}
