import * as z from 'zod';
import type { RequestView } from '../../backend/core/requestViews';
import type { DesktopResult, RequestLists } from '../shared/desktopApi';

/**
 * Issue 16 §3, reaching the approvers: while the app is unlocked, main reads the requests waiting for this
 * person (passively: polling never holds off the idle lock), tells the renderer and the OS badge how many,
 * and raises an OS notification for requests its read before did not list (at most one per read: a flood
 * is counted, not announced one by one), only when the window is not in front. A click shows that
 * request. The notification names the job, who asked and the fingerprint: nothing else, and it approves
 * nothing. Failures (and answers that are not a list of requests) back off; a lock (or the session
 * ending) stops it.
 */
export interface RequestWatcherDeps {
  listRequests(): Promise<DesktopResult<RequestLists>>;
  /** The unlocked person's user id: their own requests, and those they approved, never wait for them. */
  me?(): string | undefined;
  window(): { isFocused(): boolean; isDestroyed(): boolean } | undefined;
  notify(n: { title: string; body: string; onClick: () => void }): void;
  /** Focuses the window and asks the renderer to show this request. */
  showRequest(requestId: string): void;
  /** The count, to the renderer's nav and to the OS badge where the platform has one. */
  waiting(count: number): void;
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  /** Between reads when all is well (main: 20 s; the e2e harness: shorter, as the person would wait). */
  everyMs?: number;
}

const EVERY_MS = 20_000;
const MAX_MS = 5 * 60_000;

/**
 * The verifier's answer, as far as the watcher reads it: a list of requests, each with an id in the
 * verifier's own id format (backend/api/schemas.ts). Anything else is a failed read (it backs off and
 * keeps reading); a listed entry without such an id is not counted.
 */
const answerSchema = z.looseObject({ waiting: z.array(z.unknown()) });
const entrySchema = z.looseObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/),
  status: z.string(),
  requester: z.looseObject({ id: z.string() }),
  approvals: z.array(z.looseObject({ userId: z.string() })),
});
// What a notification may carry, each in the format the verifier gives it (backend/core/job.ts, invites.ts,
// proposers.ts, intent.ts): a notification can be read on a locked screen, so nothing else reaches it.
const JOB_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const PERSON_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const FINGERPRINT = /^[0-9A-Z]{4}-[0-9A-Z]{4}$/;
const as = (v: unknown, format: RegExp) => (typeof v === 'string' && format.test(v) ? v : undefined);

/**
 * The requests that wait for `me`: still open, not their own, not one they approved already (the verifier
 * lists only those; main does not count on it, so a buggy answer cannot make it announce them).
 */
function waitingIn(value: unknown, me: string | undefined): RequestView[] | undefined {
  const parsed = answerSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const ids = new Set<string>();
  return parsed.data.waiting.filter((e): e is RequestView => {
    const entry = entrySchema.safeParse(e);
    if (!entry.success || ids.has(entry.data.id)) return false;
    const r = entry.data;
    if (r.status !== 'pending' || r.requester.id === me || r.approvals.some((a) => a.userId === me)) return false;
    ids.add(r.id);
    return true;
  });
}

export function notificationText(r: RequestView): { title: string; body: string } {
  const job = as(r.job?.name, JOB_NAME);
  const who = r.proposer ? as(r.proposer.name, PERSON_NAME)?.concat(' (automation)') : as(r.requester?.name, PERSON_NAME);
  const fingerprint = as(r.fingerprint, FINGERPRINT);
  if (!job || !who || !fingerprint) return { title: 'Waiting for you', body: 'A request is waiting for your decision in keylaunch.' };
  return { title: `Waiting for you: ${job}`, body: `${who} asks for a run of ${job}. Fingerprint ${fingerprint}.` };
}

/**
 * What one read announces: nothing, the one new request, or (a flood: many colleagues, or proposals) a
 * count, so that a read raises at most one notification; its click shows the list at the first.
 */
export function announcement(fresh: RequestView[]): { title: string; body: string; requestId: string } | undefined {
  const [first] = fresh;
  if (!first) return undefined;
  if (fresh.length === 1) return { ...notificationText(first), requestId: first.id };
  return { title: `${fresh.length} requests are waiting for you`, body: 'Open keylaunch to review each one.', requestId: first.id };
}

export function createRequestWatcher(deps: RequestWatcherDeps) {
  const every = deps.everyMs ?? EVERY_MS;
  let timer: unknown;
  let delay = every;
  let running = false;
  // A poke during a read reads again as soon as that read is done (its answer may predate the change).
  let reading = false;
  let again = false;
  // Bumped by stop(): a read that was under way when the app locked is dropped.
  let epoch = 0;
  // The ids of the last read: a request is new when the read before did not list it. Bounded by what one
  // answer can hold, so a long list is never forgotten piecemeal and announced again.
  let seen = new Set<string>();

  const schedule = (ms: number) => {
    if (timer !== undefined) deps.timers.clearTimeout(timer);
    timer = deps.timers.setTimeout(() => void read(), ms);
  };

  async function read() {
    timer = undefined;
    const asked = epoch;
    reading = true;
    let r: Awaited<ReturnType<RequestWatcherDeps['listRequests']>>;
    try {
      r = await deps.listRequests();
    } catch {
      r = { ok: false, error: { code: 'internal_error', message: 'The read failed.' } };
    } finally {
      reading = false;
    }
    if (again) {
      again = false;
      if (running) return schedule(0);
    }
    if (asked !== epoch || !running) return;
    if (!r.ok && r.error.code === 'locked') return stop();
    const waiting = r.ok ? waitingIn(r.value, deps.me?.()) : undefined;
    if (!waiting) {
      delay = Math.min(MAX_MS, delay * 2);
      return schedule(delay);
    }
    delay = every;
    deps.waiting(waiting.length);
    const fresh = waiting.filter((w) => !seen.has(w.id));
    seen = new Set(waiting.map((w) => w.id));
    const win = deps.window();
    const news = announcement(fresh);
    if (news && win && !win.isDestroyed() && !win.isFocused()) {
      deps.notify({ title: news.title, body: news.body, onClick: () => deps.showRequest(news.requestId) });
    }
    schedule(delay);
  }

  function stop() {
    epoch++;
    running = false;
    again = false;
    if (timer !== undefined) deps.timers.clearTimeout(timer);
    timer = undefined;
    delay = every;
    seen.clear();
    deps.waiting(0);
  }

  return {
    /** Unlocked, or something just changed what waits: read now, then keep reading. */
    poke() {
      running = true;
      if (reading) again = true;
      else schedule(0);
    },
    /** Lock: nothing is read for a session that is over, and the badge goes. */
    stop,
    running: () => running,
  };
}
export type RequestWatcher = ReturnType<typeof createRequestWatcher>;
