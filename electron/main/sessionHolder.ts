import type { SessionState } from '../shared/desktopApi';

/**
 * The session token, in the main process's memory only (never on disk, never in the renderer). Dropped
 * on lock, when the verifier's session ends, and after an idle time (default 5 minutes) with no use.
 */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export function createSessionHolder(o: { idleMs?: number; timers?: Timers; onLocked: (reason: 'idle' | 'expired' | 'manual' | 'ended') => void }) {
  const idleMs = o.idleMs ?? 5 * 60_000;
  const timers = o.timers ?? systemTimers;
  let current: { token: string; user: SessionState['user']; expiresAt: number } | undefined;
  let idleAt = 0;
  let timer: unknown;

  const drop = (reason: 'idle' | 'expired' | 'manual' | 'ended') => {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    const had = current !== undefined;
    current = undefined;
    if (had) o.onLocked(reason);
  };
  const arm = () => {
    if (!current) return;
    if (timer !== undefined) timers.clearTimeout(timer);
    idleAt = Math.min(timers.now() + idleMs, current.expiresAt);
    timer = timers.setTimeout(() => drop(current && timers.now() >= current.expiresAt ? 'expired' : 'idle'), idleAt - timers.now());
  };

  return {
    set(token: string, user: SessionState['user'], expiresAt: number) {
      current = { token, user, expiresAt };
      arm();
    },
    /** The token for a request, counting as activity; undefined when locked. */
    use(): string | undefined {
      if (!current) return undefined;
      if (timers.now() >= current.expiresAt) return void drop('expired');
      arm();
      return current.token;
    },
    state(): SessionState | null {
      if (!current || timers.now() >= current.expiresAt) return null;
      return { user: current.user, expiresAt: current.expiresAt, idleLockAt: idleAt };
    },
    lock: (reason: 'manual' | 'ended' = 'manual') => drop(reason),
  };
}
export type SessionHolder = ReturnType<typeof createSessionHolder>;
