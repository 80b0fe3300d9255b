import { FilterLogEventsCommand, GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { OutputLine } from '../../../core/ports';
import { eventLines, invalid, type FollowCursor } from './followCursor';
import { followError, withRetry, type RetryPolicy } from './awsLaunch';

/**
 * Reading a run's output from CloudWatch Logs, for the launchers whose jobs log there (Lambda, ECS, and
 * SSM with a log group). One AWS call per page, at most `limit` lines; what does not fit stays in
 * CloudWatch (the run's console link) and the page says `truncated`.
 */
export interface Chunk {
  lines: OutputLine[];
  truncated: boolean;
  /** No event came back: the reader has caught up with what CloudWatch holds now. */
  caughtUp: boolean;
  cursor: FollowCursor;
}

const notThereYet = (e: unknown) => (e as { name?: string })?.name === 'ResourceNotFoundException';

/**
 * One CloudWatch Logs call, retried as the launchers retry. A group or stream that does not exist yet (the
 * job is still starting) answers `undefined`, an empty page; events that are not a list are a bad answer.
 */
async function ask<A extends { events?: unknown }>(o: { retry: RetryPolicy }, call: () => Promise<A>): Promise<A | undefined> {
  const answer = await withRetry(o.retry, call).catch((e) => {
    if (notThereYet(e)) return undefined;
    throw followError(e);
  });
  if (answer?.events !== undefined && !Array.isArray(answer.events)) throw invalid('log events that are not a list');
  return answer;
}

/** Adds an event's lines to `out`, bounded by `limit`. */
function push(out: Chunk, message: unknown, at: unknown, stream: OutputLine['stream'], limit: number) {
  const { lines, truncated } = eventLines(message, at, stream, out.cursor.seq);
  const room = limit - out.lines.length;
  out.lines.push(...lines.slice(0, room));
  out.truncated ||= truncated || lines.length > room;
  out.cursor = { ...out.cursor, seq: out.cursor.seq + Math.min(lines.length, room) };
}

/**
 * One stream from its start (or `cursor.from`), in order: GetLogEvents with the forward token. A stream
 * that does not exist yet (the task is still starting) is an empty page, not an error.
 * `until`: a line that ends what this run wrote to the stream (Lambda's REPORT line); `from`: one that
 * starts it (Lambda's START line; lines before it in the stream belong to earlier invokes).
 */
export async function readStream(
  o: { client: CloudWatchLogsClient; retry: RetryPolicy },
  where: { group: string; stream: string; kind: OutputLine['stream']; startsAt?: (text: string) => boolean; endsAt?: (text: string) => boolean },
  cursor: FollowCursor,
  limit: number,
): Promise<Chunk> {
  const out: Chunk = { lines: [], truncated: false, caughtUp: false, cursor };
  const answer = await ask(o, () =>
    o.client.send(
      new GetLogEventsCommand({
        logGroupName: where.group,
        logStreamName: where.stream,
        startFromHead: true,
        limit: Math.min(Math.max(limit, 1), 10_000),
        ...(cursor.token ? { nextToken: cursor.token } : cursor.from !== undefined ? { startTime: cursor.from } : {}),
      }),
    ),
  );
  if (!answer) return { ...out, caughtUp: true };
  const events = answer.events ?? [];
  let started = cursor.state === 'started' || !where.startsAt;
  for (const event of events) {
    if (!started) {
      if (!where.startsAt!(String(event?.message ?? ''))) continue;
      started = true;
    }
    if (out.lines.length >= limit) {
      out.truncated = true;
      break;
    }
    push(out, event?.message, event?.timestamp, where.kind, limit);
    if (where.endsAt?.(String(event?.message ?? ''))) {
      out.cursor = { ...out.cursor, ended: true };
      break;
    }
  }
  // GetLogEvents answers the token it was given when nothing is new: that is "caught up".
  const next = answer.nextForwardToken;
  if (next !== undefined && (typeof next !== 'string' || next.length > 2048)) throw invalid('an unusable log token');
  out.caughtUp = events.length === 0 || next === cursor.token;
  out.cursor = { ...out.cursor, ...(next ? { token: next } : {}), ...(started && where.startsAt ? { state: 'started' } : {}) };
  return out;
}

/**
 * Every stream under a prefix (SSM writes `<command-id>/<instance-id>/<plugin>/stdout|stderr`), by time:
 * FilterLogEvents. Its nextToken ends with the events that exist now, so a caught-up reader continues
 * from the last event's time and skips the event ids it already read at that millisecond.
 */
export async function readPrefix(
  o: { client: CloudWatchLogsClient; retry: RetryPolicy },
  where: { group: string; streamPrefix: string; since: number },
  cursor: FollowCursor,
  limit: number,
): Promise<Chunk> {
  const out: Chunk = { lines: [], truncated: false, caughtUp: false, cursor };
  const answer = await ask(o, () =>
    o.client.send(
      new FilterLogEventsCommand({
        logGroupName: where.group,
        logStreamNamePrefix: where.streamPrefix,
        // A token continues the query it came from, which must be asked again the same way.
        startTime: cursor.token ? (cursor.tokenFrom ?? where.since) : (cursor.from ?? where.since),
        limit: Math.min(Math.max(limit, 1), 10_000),
        ...(cursor.token ? { nextToken: cursor.token } : {}),
      }),
    ),
  );
  if (!answer) return { ...out, caughtUp: true };
  const skip = new Set(cursor.skip ?? []);
  let from = cursor.from;
  let atFrom = [...skip];
  for (const event of answer.events ?? []) {
    const id = typeof event?.eventId === 'string' ? event.eventId : undefined;
    if (id && skip.has(id)) continue;
    if (out.lines.length >= limit) {
      out.truncated = true;
      break;
    }
    const kind = /\/stderr$/.test(String(event?.logStreamName ?? '')) ? 'stderr' : 'stdout';
    push(out, event?.message, event?.timestamp, kind, limit);
    const at = typeof event?.timestamp === 'number' ? event.timestamp : from;
    if (at !== from) atFrom = [];
    from = at;
    if (id) atFrom.push(id);
  }
  const next = answer.nextToken;
  if (next !== undefined && (typeof next !== 'string' || next.length > 2048)) throw invalid('an unusable log token');
  out.caughtUp = !next && out.lines.length === 0;
  // With a token, CloudWatch continues; without, we continue from the last event's time ourselves.
  const { token: _token, tokenFrom: _tokenFrom, ...rest } = out.cursor;
  const asked = cursor.token ? (cursor.tokenFrom ?? where.since) : (cursor.from ?? where.since);
  out.cursor = { ...rest, ...(next ? { token: next, tokenFrom: asked } : {}), ...(from !== undefined ? { from } : {}), skip: atFrom.slice(-20) };
  return out;
}
