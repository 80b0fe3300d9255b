import { useEffect, useRef } from 'react';
import type { SessionState } from '../../electron/shared/desktopApi';
import { useApp } from './appContext';

/** At most one activity report per this many ms: enough to push the idle lock back, cheap over IPC. */
export const ACTIVITY_EVERY_MS = 15_000;
const INPUT_EVENTS = ['keydown', 'pointerdown', 'wheel', 'input'] as const;

/**
 * Input in the window counts as activity for the idle lock (only main's calls did, so typing a long
 * form locked the app). Reported to main through the preload's one `activity` method, throttled.
 */
export function useActivity(unlocked: boolean, onSession: (s: SessionState) => void) {
  const { desktop } = useApp();
  const last = useRef(0);
  const report = useRef(onSession);
  report.current = onSession;
  useEffect(() => {
    if (!unlocked) return;
    last.current = 0; // a new session: the first input after unlocking is reported at once
    const seen = () => {
      const now = Date.now();
      if (now - last.current < ACTIVITY_EVERY_MS) return;
      last.current = now;
      void desktop.activity().then((r) => {
        if (r.ok && r.value) report.current(r.value);
      });
    };
    for (const type of INPUT_EVENTS) window.addEventListener(type, seen, { capture: true, passive: true });
    return () => {
      for (const type of INPUT_EVENTS) window.removeEventListener(type, seen, { capture: true });
    };
  }, [unlocked, desktop]);
}
