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

export type LockReason = 'idle' | 'expired' | 'manual' | 'ended' | 'system';

export function createSessionHolder(o: {
  idleMs?: number;
  timers?: Timers;
  onLocked: (reason: LockReason) => void;
  /**
   * Given the dropped token, so the verifier can end it too (a locked desktop's token is dead everywhere).
   * 'replaced': a renewal (or a new unlock) took its place; the old token must not outlive it.
   */
  onTokenDropped?: (token: string, reason: LockReason | 'replaced') => void;
}) {
  const idleMs = o.idleMs ?? 5 * 60_000;
  const timers = o.timers ?? systemTimers;
  let current: { token: string; user: SessionState['user']; expiresAt: number } | undefined;
  let idleAt = 0;
  let timer: unknown;

  const drop = (reason: LockReason) => {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    const had = current;
    current = undefined;
    if (!had) return;
    // The verifier already ended it ('ended', 'expired'): nothing to revoke there.
    if (reason !== 'ended' && reason !== 'expired') o.onTokenDropped?.(had.token, reason);
    o.onLocked(reason);
  };
  const arm = () => {
    if (!current) return;
    if (timer !== undefined) timers.clearTimeout(timer);
    idleAt = Math.min(timers.now() + idleMs, current.expiresAt);
    timer = timers.setTimeout(() => drop(current && timers.now() >= current.expiresAt ? 'expired' : 'idle'), idleAt - timers.now());
  };

  return {
    set(token: string, user: SessionState['user'], expiresAt: number) {
      const replaced = current?.token !== token ? current?.token : undefined;
      current = { token, user, expiresAt };
      if (replaced !== undefined) o.onTokenDropped?.(replaced, 'replaced');
      arm();
    },
    /** The token for a request, counting as activity; undefined when locked. */
    use(): string | undefined {
      if (!current) return undefined;
      if (timers.now() >= current.expiresAt) return void drop('expired');
      // Checked at use, not only by the timer: a suspended machine's timers fire late, or not at all.
      if (timers.now() >= idleAt) return void drop('idle');
      arm();
      return current.token;
    },
    /**
     * The token for a read nobody asked for just now (following a run, watching for its end): it does not
     * count as activity, so a page left polling never holds off the idle lock. Undefined when locked.
     */
    peek(): string | undefined {
      if (!current) return undefined;
      if (timers.now() >= current.expiresAt) return void drop('expired');
      if (timers.now() >= idleAt) return void drop('idle');
      return current.token;
    },

    /**
     * Input in the window: pushes the idle lock back like a request does (never past the session's hard
     * end, and never revives a session already idle or expired). The state after it.
     */
    activity(): SessionState | null {
      if (!current) return null;
      if (timers.now() >= current.expiresAt) return drop('expired'), null;
      if (timers.now() >= idleAt) return drop('idle'), null;
      arm();
      return { user: current.user, expiresAt: current.expiresAt, idleLockAt: idleAt };
    },
    state(): SessionState | null {
      if (!current || timers.now() >= current.expiresAt || timers.now() >= idleAt) return null;
      return { user: current.user, expiresAt: current.expiresAt, idleLockAt: idleAt };
    },
    lock: (reason: 'manual' | 'ended' | 'system' = 'manual') => drop(reason),
  };
}
export type SessionHolder = ReturnType<typeof createSessionHolder>;

/**
 * The session holder main uses: a dropped token (lock, idle, suspend) is also ended at the verifier, so
 * a locked desktop's token is dead everywhere. If the verifier cannot be reached it still dies here.
 */
export function createDesktopSession(o: {
  client: () => { call(method: 'POST', path: string, o: { body: unknown; token: string }): Promise<unknown> } | undefined;
  onLocked: (reason: LockReason) => void;
  idleMs?: number;
  timers?: Timers;
}): SessionHolder {
  return createSessionHolder({
    onLocked: o.onLocked,
    ...(o.idleMs !== undefined ? { idleMs: o.idleMs } : {}),
    ...(o.timers ? { timers: o.timers } : {}),
    onTokenDropped: (token) => void o.client()?.call('POST', '/v1/session/end', { body: {}, token }).catch(() => undefined),
  });
}
