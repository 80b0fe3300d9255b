import { describe, expect, it, vi } from 'vitest';
import { registerDesktopIpc, type IpcEventLike, type IpcMainLike } from '../../electron/main/policies/ipcGuard';
import { createSessionHolder, type Timers } from '../../electron/main/sessionHolder';
import { desktopInputSchemas } from '../../electron/shared/desktopSchemas';
import { DESKTOP_METHODS, channelOf, type DesktopMethod } from '../../electron/shared/desktopApi';

class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, (event: IpcEventLike, arg: unknown) => Promise<unknown>>();
  handle(channel: string, listener: (event: IpcEventLike, arg: unknown) => Promise<unknown>) {
    this.handlers.set(channel, listener);
  }
}

const APP = 'https://keylaunch.example.com';
function setup() {
  const ipcMain = new FakeIpcMain();
  const calls: [string, unknown][] = [];
  const handlers = Object.fromEntries(DESKTOP_METHODS.map((m) => [m, async (arg: unknown) => (calls.push([m, arg]), { ok: true, value: m })])) as any;
  registerDesktopIpc({ ipcMain, appOrigin: () => APP, webContentsId: () => 7, schemas: desktopInputSchemas, handlers });
  const invoke = (method: DesktopMethod, arg: unknown, event: IpcEventLike = { sender: { id: 7 }, senderFrame: { url: `${APP}/`, parent: null } }) => ipcMain.handlers.get(channelOf(method))!(event, arg);
  return { ipcMain, calls, invoke };
}

describe('IPC: sender and argument validation', () => {
  it('registers exactly one channel per DesktopApi method', () => {
    const { ipcMain } = setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(DESKTOP_METHODS.map(channelOf).sort());
  });

  it('handles a valid call from our window at our origin', async () => {
    const { invoke, calls } = setup();
    expect(await invoke('prepareRun', { job: 'deploy', params: { env: 'prod' } })).toEqual({ ok: true, value: 'prepareRun' });
    expect(calls).toEqual([['prepareRun', { job: 'deploy', params: { env: 'prod' } }]]);
  });

  it.each([
    ['another web contents', { sender: { id: 8 }, senderFrame: { url: `${APP}/`, parent: null } }],
    ['another origin', { sender: { id: 7 }, senderFrame: { url: 'https://evil.test/', parent: null } }],
    ['a subframe', { sender: { id: 7 }, senderFrame: { url: `${APP}/`, parent: {} } }],
    ['no frame', { sender: { id: 7 }, senderFrame: null }],
    ['a file:// page', { sender: { id: 7 }, senderFrame: { url: 'file:///tmp/x.html', parent: null } }],
  ])('refuses a call from %s, and the handler never runs', async (_, event) => {
    const { invoke, calls } = setup();
    const r = (await invoke('listJobs', undefined, event as IpcEventLike)) as any;
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe('bad_request');
    expect(calls).toEqual([]);
  });

  it.each([
    ['prepareRun', { job: 'deploy', params: { env: { nested: 1 } } }],
    ['prepareRun', { job: 'deploy', params: {}, url: 'https://evil.test' }],
    ['getRun', { runId: '../../admin' }],
    ['listJobs', { anything: true }],
    ['openExternal', { url: 42 }],
    ['listAudit', { path: '/v1/admin/people' }],
    ['listAudit', { cursor: 'x'.repeat(501) }],
    ['listAudit', { limit: 1000 }],
    ['confirmRun', { intentId: 'x', assertion: {}, secrets: {} }],
  ] as [DesktopMethod, unknown][])('refuses malformed arguments to %s', async (method, arg) => {
    const { invoke, calls } = setup();
    const r = (await invoke(method, arg)) as any;
    expect(r.error.code).toBe('bad_request');
    expect(calls).toEqual([]);
  });
});

class FakeTimers implements Timers {
  time = 0;
  pending: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.pending.push({ at: this.time + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => void (this.pending = this.pending.filter((p) => p.id !== id));
  advance(ms: number) {
    this.time += ms;
    for (const p of this.pending.filter((p) => p.at <= this.time)) {
      this.pending = this.pending.filter((q) => q !== p);
      p.fn();
    }
  }
}

describe('session token in memory, with idle lock', () => {
  const user = { id: 'u', name: 'alice', role: 'operator' as const };

  it('locks after 5 idle minutes, and each use pushes the lock back', () => {
    const timers = new FakeTimers();
    const onLocked = vi.fn();
    const holder = createSessionHolder({ timers, onLocked });
    holder.set('tok', user, 3_600_000);
    timers.advance(4 * 60_000);
    expect(holder.use()).toBe('tok');
    timers.advance(4 * 60_000);
    expect(holder.state()?.idleLockAt).toBe(8 * 60_000 + 60_000);
    expect(onLocked).not.toHaveBeenCalled();
    timers.advance(60_001);
    expect(onLocked).toHaveBeenCalledWith('idle');
    expect(holder.use()).toBeUndefined();
    expect(holder.state()).toBeNull();
  });

  it('locks when the verifier session expires, even while in use', () => {
    const timers = new FakeTimers();
    const onLocked = vi.fn();
    const holder = createSessionHolder({ timers, onLocked, idleMs: 300_000 });
    holder.set('tok', user, 120_000);
    timers.advance(119_000);
    holder.use();
    timers.advance(1_000);
    expect(onLocked).toHaveBeenCalledWith('expired');
    expect(holder.use()).toBeUndefined();
  });

  it('input in the window (activity) pushes the idle lock back, never past the hard end, and never revives a lapsed session', () => {
    const timers = new FakeTimers();
    const onLocked = vi.fn();
    const holder = createSessionHolder({ timers, onLocked, idleMs: 300_000 });
    holder.set('tok', user, 600_000);
    timers.advance(290_000);
    expect(holder.activity()?.idleLockAt).toBe(590_000);
    timers.advance(290_000);
    expect(onLocked).not.toHaveBeenCalled(); // 580 s in, still unlocked thanks to the input
    expect(holder.activity()?.idleLockAt).toBe(600_000); // capped at the session's hard end
    timers.advance(20_000);
    expect(onLocked).toHaveBeenCalledWith('expired');
    expect(holder.activity()).toBeNull();
    expect(holder.use()).toBeUndefined();
  });

  it('activity after the idle time (timers late, as after a suspend) locks instead of extending', () => {
    let time = 0;
    const onLocked = vi.fn();
    const holder = createSessionHolder({ timers: { now: () => time, setTimeout: () => 0, clearTimeout: () => undefined }, onLocked, idleMs: 300_000 });
    holder.set('tok', user, 3_600_000);
    time = 300_001;
    expect(holder.activity()).toBeNull();
    expect(onLocked).toHaveBeenCalledWith('idle');
    expect(holder.use()).toBeUndefined();
  });

  it('locks on request and forgets the token', () => {
    const onLocked = vi.fn();
    const holder = createSessionHolder({ timers: new FakeTimers(), onLocked });
    holder.set('tok', user, 600_000);
    holder.lock();
    expect(holder.use()).toBeUndefined();
    expect(onLocked).toHaveBeenCalledWith('manual');
  });
});

describe('the idle lock, checked at use, and the token handed back for revocation', () => {
  const user = { id: 'u', name: 'alice', role: 'operator' as const };
  /** Timers that never fire, as after an OS suspend: only the clock moves. */
  const frozen = () => {
    let time = 0;
    return { timers: { now: () => time, setTimeout: () => 0, clearTimeout: () => undefined } satisfies Timers, advance: (ms: number) => (time += ms) };
  };

  it('refuses a token past the idle time even when the timer never fired', () => {
    const { timers, advance } = frozen();
    const onLocked = vi.fn();
    const dropped: string[] = [];
    const holder = createSessionHolder({ timers, onLocked, onTokenDropped: (t, r) => dropped.push(`${t}:${r}`) });
    holder.set('tok', user, 3_600_000);
    advance(5 * 60_000);
    expect(holder.state()).toBeNull();
    expect(holder.use()).toBeUndefined();
    expect(onLocked).toHaveBeenCalledWith('idle');
    expect(dropped).toEqual(['tok:idle']);
  });

  it('hands a manually or system-locked token back to be ended at the verifier, not one the verifier ended', () => {
    const dropped: string[] = [];
    const holder = createSessionHolder({ timers: frozen().timers, onLocked: () => undefined, onTokenDropped: (t, r) => dropped.push(`${t}:${r}`) });
    holder.set('a', user, 600_000);
    holder.lock('system');
    holder.set('b', user, 600_000);
    holder.lock('ended');
    holder.set('c', user, 600_000);
    holder.lock('manual');
    expect(dropped).toEqual(['a:system', 'c:manual']);
  });

  it('a renewal ends the token it replaces (the old one must not stay valid at the verifier), without locking', () => {
    const dropped: string[] = [];
    const onLocked = vi.fn();
    const holder = createSessionHolder({ timers: frozen().timers, onLocked, onTokenDropped: (t, r) => dropped.push(`${t}:${r}`) });
    holder.set('old', user, 600_000);
    holder.set('old', user, 600_000);
    expect(dropped).toEqual([]);
    holder.set('new', user, 900_000);
    expect(dropped).toEqual(['old:replaced']);
    expect(onLocked).not.toHaveBeenCalled();
    expect(holder.use()).toBe('new');
  });
});
