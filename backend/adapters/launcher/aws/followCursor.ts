import * as z from 'zod';
import { KeylaunchError } from '../../../core/errors';
import type { OutputLine } from '../../../core/ports';

/**
 * The opaque cursor of an AWS run's output (ports.ts `OutputRequest.cursor`): base64url of a small JSON
 * state. It comes back from the desktop, so it is input like any other: checked field by field, bounded,
 * and refused (`bad_request`) when it is not one of ours.
 */
const token = z.string().min(1).max(2048);
export const cursorSchema = z.strictObject({
  /** The next line's `seq`: lines are numbered across pages, so order holds across calls. */
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** CloudWatch Logs' nextForwardToken / nextToken, or a history page's token. */
  token: token.optional(),
  /** The log stream being read (Lambda: found from the invoke's START line). */
  stream: z.string().min(1).max(512).optional(),
  /** Epoch ms: read events from here (Lambda: the START line's time). */
  from: z.number().int().min(0).optional(),
  /** Lambda: the invoke's END line was read; SSM/EC2: the last state seen. */
  ended: z.boolean().optional(),
  state: z.string().max(64).optional(),
  /** FilterLogEvents: the startTime its token was given for, and event ids already read at `from`. */
  tokenFrom: z.number().int().min(0).optional(),
  skip: z.array(z.string().min(1).max(128)).max(20).optional(),
});
export type FollowCursor = z.infer<typeof cursorSchema>;

export function readCursor(cursor: string | undefined): FollowCursor {
  if (cursor === undefined) return { seq: 0 };
  if (cursor.length > MAX_CURSOR || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw badCursor();
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw badCursor();
  }
}

/** The API takes cursors of at most 1,024 characters (docs/api.md, the output route). */
export const MAX_CURSOR = 1024;
const encode = (c: FollowCursor) => Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');

/**
 * The cursor for the next page, within MAX_CURSOR: when AWS's token or the ids read at the last
 * millisecond do not fit, what can be re-derived goes first (the ids: a few lines may then repeat; a
 * FilterLogEvents token: the read resumes from the last event's time instead).
 */
export function writeCursor(c: FollowCursor): string {
  let out = encode(c);
  if (out.length > MAX_CURSOR && c.skip) out = encode({ ...c, skip: c.skip.slice(-3) });
  if (out.length > MAX_CURSOR && c.from !== undefined && c.tokenFrom !== undefined) {
    const { token: _token, tokenFrom: _tokenFrom, ...rest } = c;
    out = encode({ ...rest, ...(c.skip ? { skip: c.skip.slice(-3) } : {}) });
  }
  if (out.length > MAX_CURSOR) throw invalid('a log token too long to continue from');
  return out;
}

const badCursor = () => new KeylaunchError('bad_request', 'This output cursor is not one this verifier gave out.');

/** Longest line kept: a log event can be 256 KB; the run page needs a line, not a dump. */
export const MAX_LINE = 8192;

/**
 * One log event as output lines: split on newlines (a multi-line print is one event in CloudWatch),
 * each line bounded. Returns the lines and whether any was shortened.
 */
export function eventLines(message: unknown, at: unknown, stream: OutputLine['stream'], seq: number): { lines: OutputLine[]; truncated: boolean } {
  if (typeof message !== 'string') throw invalid('a log event without a message');
  const texts = message.replace(/\r?\n$/, '').split(/\r?\n/);
  let truncated = false;
  const lines = texts.map((text, i) => {
    if (text.length > MAX_LINE) truncated = true;
    return { seq: seq + i, stream, text: text.slice(0, MAX_LINE), ...(typeof at === 'number' && Number.isFinite(at) ? { at } : {}) };
  });
  return { lines, truncated };
}

/** AWS answered something we cannot read: a stable code, AWS's words never echoed beyond what we say. */
export const invalid = (what: string) => new KeylaunchError('aws_answer_invalid', `AWS answered with ${what}.`);

/** A string field AWS must send, checked. */
export function requireString(value: unknown, what: string, max = 2048): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw invalid(`no usable ${what}`);
  return value;
}
