import { describe, expect, it } from 'vitest';
import { lazyLauncher } from '../../../backend/adapters/launcher/lazyLauncher';
import type { Launcher } from '../../../backend/core/ports';

describe('lazy launcher', () => {
  it('loads its launcher once, on first use, and forwards launches and status', async () => {
    let loads = 0;
    const inner: Launcher = {
      launch: async (r) => ({ status: 'running', details: { launcher: 'x', summary: r.runId } }),
      status: async (d) => ({ status: 'succeeded', details: d }),
    };
    const lazy = lazyLauncher(async () => (loads++, inner), { status: true });
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([lazy.launch({ runId: 'r1' } as never), lazy.launch({ runId: 'r2' } as never)]);
    expect([a.details.summary, b.details.summary]).toEqual(['r1', 'r2']);
    expect((await lazy.status!({ launcher: 'x', summary: 's' })).status).toBe('succeeded');
    expect(loads).toBe(1);
  });

  it('tries a failed load again on the next use instead of keeping the failure', async () => {
    let attempts = 0;
    const lazy = lazyLauncher(async () => {
      if (++attempts === 1) throw new TypeError('chunk failed to load');
      return { launch: async () => ({ status: 'accepted', details: { launcher: 'l', summary: 'ok' } }) };
    }, { status: false });
    await expect(lazy.launch({ runId: 'r1' } as never)).rejects.toThrow('chunk failed to load');
    expect((await lazy.launch({ runId: 'r2' } as never)).details.summary).toBe('ok');
    expect((await lazy.launch({ runId: 'r3' } as never)).details.summary).toBe('ok');
    expect(attempts).toBe(2);
  });

  it('forwards output and cancel when declared, and has neither when not (issue 12 §3–4)', async () => {
    const cancels: string[] = [];
    const inner: Launcher = {
      launch: async () => ({ status: 'running', details: { launcher: 'x', summary: '' } }),
      output: async (_, r) => ({ lines: [{ seq: 0, stream: 'log', text: `after ${r.cursor}` }], cursor: '1', done: false, truncated: false }),
      cancel: async (_, r) => void cancels.push(`${r.runId} by ${r.cancelledBy}`),
    };
    const lazy = lazyLauncher(async () => inner, { status: false, output: true, cancel: true });
    expect((await lazy.output!({ launcher: 'x', summary: '' }, { runId: 'r1', cursor: '0', limit: 5 })).lines[0]!.text).toBe('after 0');
    await lazy.cancel!({ launcher: 'x', summary: '' }, { runId: 'r1', cancelledBy: 'bob' });
    expect(cancels).toEqual(['r1 by bob']);
    const plain = lazyLauncher(async () => inner, { status: false });
    expect([plain.output, plain.cancel]).toEqual([undefined, undefined]);
  });

  it('has no status when its launcher has none, so runs are not refreshed in vain', () => {
    expect(lazyLauncher(async () => ({ launch: async () => ({ status: 'accepted', details: { launcher: 'l', summary: '' } }) }), { status: false }).status).toBeUndefined();
  });

  it('forwards output and cancel when its launcher has them, and offers neither otherwise (issue 12 §3–4)', async () => {
    const seen: string[] = [];
    const inner: Launcher = {
      launch: async () => ({ status: 'running', details: { launcher: 'x', summary: '' } }),
      output: async (_d, r) => (seen.push(`output ${r.cursor}`), { lines: [{ seq: 0, stream: 'log', text: 'hi' }], done: true, truncated: false }),
      cancel: async (_d, r) => void seen.push(`cancel by ${r.cancelledBy}`),
    };
    const lazy = lazyLauncher(async () => inner, { status: false, output: true, cancel: true });
    expect((await lazy.output!({ launcher: 'x', summary: '' }, { runId: 'r', cursor: 'c1', limit: 5 })).lines[0]!.text).toBe('hi');
    await lazy.cancel!({ launcher: 'x', summary: '' }, { runId: 'r', cancelledBy: 'bob' });
    expect(seen).toEqual(['output c1', 'cancel by bob']);
    const plain = lazyLauncher(async () => inner, { status: false });
    expect([plain.output, plain.cancel]).toEqual([undefined, undefined]);
  });
});
