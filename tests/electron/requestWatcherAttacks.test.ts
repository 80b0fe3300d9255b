import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestWatcher } from '../../electron/main/requestWatcher';
import { startHarness, type Harness } from '../support/harness';
import { unlockedDesktop } from '../support/unlockedDesktop';
import { approvalHelpers, approvalJobs, type Person } from '../support/approvals';
import { startTamperingNetwork } from '../support/tamperingNetwork';
import { ManualTimers } from '../support/manualTimers';

/**
 * An attacker's review of main's request watcher (issue 16 §3), reading a real verifier over HTTP through
 * main's real handlers (behind a network that can rewrite the answers): what it counts and announces, how
 * often, and that a bad answer neither stops it nor reaches a notification.
 */
let h: Harness;
let ap: ReturnType<typeof approvalHelpers>;
let net: Awaited<ReturnType<typeof startTamperingNetwork>>;
beforeAll(async () => {
  h = await startHarness({ jobs: approvalJobs });
  ap = approvalHelpers(h);
  net = await startTamperingNetwork(h.url);
});
afterAll(async () => {
  await net?.close();
  await h?.close();
});

async function watcherFor(p: Person, o: { me?: boolean } = {}) {
  const handlers = await unlockedDesktop({ h, user: p, verifierUrl: net.url, ask: async () => false });
  const timers = new ManualTimers();
  let inflight: Promise<unknown> = Promise.resolve();
  const notes: { title: string; body: string; onClick: () => void }[] = [];
  const counts: number[] = [];
  const shown: string[] = [];
  const watcher = createRequestWatcher({
    listRequests: () => {
      const read = handlers.listRequests();
      inflight = read;
      return read;
    },
    window: () => ({ isFocused: () => false, isDestroyed: () => false }),
    ...(o.me === false ? {} : { me: () => p.userId }),
    notify: (n) => notes.push(n),
    showRequest: (id) => shown.push(id),
    waiting: (n) => counts.push(n),
    timers,
    everyMs: 20_000,
  });
  const settle = async () => {
    await inflight;
    await new Promise((r) => setImmediate(r));
  };
  /** Reads now, then `reads - 1` more times at the watcher's interval (or its backoff). */
  const run = async (ms = 0) => {
    await timers.advance(ms, settle);
  };
  return { handlers, watcher, notes, counts, shown, run, timers };
}

describe('main’s request watcher against a flood and a hostile verifier', () => {
  it('a flood of new requests (proposals, colleagues) raises one notification per read, not one each; a click shows the list at the first', async () => {
    const bob = await ap.person();
    const askers = [await ap.person(), await ap.person(), await ap.person()];
    const ids: string[] = [];
    for (const p of askers) for (let i = 0; i < 4; i++) ids.push((await ap.request(p, 'two-others', `flood ${i}`)).request.id);
    const w = await watcherFor(bob);
    w.watcher.poke();
    await w.run(0);
    expect(w.counts.at(-1)).toBeGreaterThanOrEqual(12);
    expect(w.notes).toHaveLength(1);
    expect(w.notes[0]!.title).toBe(`${w.counts.at(-1)} requests are waiting for you`);
    w.notes[0]!.onClick();
    expect(ids).toContain(w.shown[0]);
    await w.run(60_000);
    expect(w.notes).toHaveLength(1);
    w.watcher.stop();
  });

  it('a verifier listing more requests than main remembers does not make it announce them again at every read', async () => {
    const bob = await ap.person();
    const ada = await ap.person();
    await ap.request(ada, 'two-others', 'real');
    const w = await watcherFor(bob);
    // 600 requests waiting (clones of a real one): more than the 500 ids main used to remember.
    net.state.tamper = (method, path, body) =>
      method === 'GET' && path === '/v1/requests' && body.waiting?.length
        ? { ...body, waiting: Array.from({ length: 600 }, (_, i) => ({ ...body.waiting[0], id: `req_clone_${i}` })) }
        : body;
    try {
      w.watcher.poke();
      await w.run(0);
      await w.run(60_000);
      expect(w.counts.filter((n) => n === 600).length).toBeGreaterThanOrEqual(4);
      expect(w.notes).toHaveLength(1);
    } finally {
      net.state.tamper = (_m, _p, body) => body;
      w.watcher.stop();
    }
  });

  it('an answer that is not a list of requests is a failed read: the watcher backs off and keeps reading, and nothing odd is counted or announced', async () => {
    const bob = await ap.person();
    const ada = await ap.person();
    const { request } = await ap.request(ada, 'two-others', 'after the bad answers');
    const w = await watcherFor(bob);
    const bad: unknown[] = [{ waiting: null, mine: [] }, { mine: [] }, { waiting: 'three', mine: [] }, { waiting: [{ no: 'id' }, 7, null], mine: [] }];
    let answer = 0;
    net.state.tamper = (method, path, body) => (method === 'GET' && path === '/v1/requests' && answer < bad.length ? bad[answer++] : body);
    try {
      w.watcher.poke();
      // Each bad answer, then (backed off) the verifier's own.
      for (let i = 0; i <= bad.length; i++) await w.run(300_000);
      expect(answer).toBe(bad.length);
      expect(w.counts.every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
      expect(w.counts.at(-1)).toBeGreaterThanOrEqual(1);
      expect(w.notes.length).toBe(1);
      expect(w.watcher.running()).toBe(true);
      w.notes[0]!.onClick();
      expect(w.shown).toContain(request.id);
    } finally {
      net.state.tamper = (_m, _p, body) => body;
      w.watcher.stop();
    }
  });

  it('a notification carries a job name, a person’s name and a fingerprint only in their own formats: other text from the verifier never reaches the OS', async () => {
    const bob = await ap.person();
    const ada = await ap.person();
    await ap.request(ada, 'two-others', 'hidden');
    const w = await watcherFor(bob);
    // A verifier (or a store) that puts the run's facts where the notification reads a name.
    net.state.tamper = (method, path, body) =>
      method === 'GET' && path === '/v1/requests'
        ? { ...body, waiting: body.waiting.filter((r: any) => r.requester.id === ada.userId).map((r: any) => ({ ...r, job: { ...r.job, name: 'deploy --env prod' }, requester: { ...r.requester, name: 'ada\nmessage: hunter2' }, fingerprint: 'see message hunter2' })) }
        : body;
    try {
      w.watcher.poke();
      await w.run(0);
      expect(w.notes.length).toBe(1);
      expect(w.notes[0]!.title).toMatch(/waiting for you/i);
      const text = JSON.stringify(w.notes.map(({ title, body }) => ({ title, body })));
      expect(text).not.toMatch(/hunter2|--env|\\n/);
    } finally {
      net.state.tamper = (_m, _p, body) => body;
      w.watcher.stop();
    }
  });

  it('what the verifier lists as waiting but is not for this person (their own request, one they approved, one no longer open) is neither counted nor announced', async () => {
    const bob = await ap.person();
    const ada = await ap.person();
    const own = (await ap.request(bob, 'two-others', 'mine')).request;
    const approved = (await ap.request(ada, 'two-others', 'bob approved it')).request;
    expect((await ap.decide(bob, approved.id)).status).toBe(200);
    const launched = (await ap.request(ada, 'one-other', 'done')).request;
    const carl = await ap.person();
    expect((await ap.decide(carl, launched.id)).status).toBe(200);
    const w = await watcherFor(bob);
    // A buggy verifier: bob's own request, the one he approved and a launched one, listed as waiting for him.
    const views: any[] = [];
    for (const id of [own.id, approved.id, launched.id]) {
      const got = await h.api('GET', `/v1/requests/${id}`, undefined, (id === own.id ? bob : ada).token);
      expect(got.status, JSON.stringify(got.body)).toBe(200);
      views.push(got.body.request);
    }
    net.state.tamper = (method, path, body) => (method === 'GET' && path === '/v1/requests' ? { ...body, waiting: views } : body);
    try {
      w.watcher.poke();
      await w.run(0);
      expect(w.counts.at(-1)).toBe(0);
      expect(w.notes).toEqual([]);
    } finally {
      net.state.tamper = (_m, _p, body) => body;
      w.watcher.stop();
    }
  });
});
