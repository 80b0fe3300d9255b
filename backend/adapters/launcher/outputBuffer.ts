import { StringDecoder } from 'node:string_decoder';
import { KeylaunchError } from '../../core/errors';
import type { OutputLine, OutputPage } from '../../core/ports';

/**
 * A local job's output as ordered lines (issue 12 §3): one `seq` across stdout and stderr, bounded in
 * lines and characters (the oldest go first, and the page says `truncated`), so a chatty or hostile job
 * never grows the verifier's memory. Chunks are cut into lines here: a line (or a UTF-8 character)
 * split across two reads is joined, and a line with no end in sight is cut at MAX_LINE characters.
 */

export const MAX_LINE = 8192;

export interface OutputBounds {
  maxLines: number;
  maxChars: number;
}

/** What a run record keeps once its job ended: the bounded tail, and where the numbering stopped. */
export interface RecordedOutput {
  lines: OutputLine[];
  /** The `seq` the next line would have had: a cursor is never past it. */
  next: number;
}

type Stream = 'stdout' | 'stderr';

export class OutputBuffer {
  private lines: OutputLine[] = [];
  private chars = 0;
  private next = 0;
  private readonly partial: Record<Stream, { decoder: StringDecoder; text: string }> = {
    stdout: { decoder: new StringDecoder('utf8'), text: '' },
    stderr: { decoder: new StringDecoder('utf8'), text: '' },
  };

  /**
   * `scrub` replaces secret values in a line; `margin` is the longest secret, so a line cut for length is
   * cut only once any secret that starts before the cut has fully arrived (and been replaced).
   */
  constructor(
    private readonly bounds: OutputBounds,
    private readonly scrub: (text: string) => string = (t) => t,
    private readonly margin = 0,
  ) {}

  add(stream: Stream, chunk: Buffer): void {
    const p = this.partial[stream];
    p.text += p.decoder.write(chunk);
    const parts = p.text.split('\n');
    p.text = parts.pop()!;
    for (const line of parts) this.push(stream, line.endsWith('\r') ? line.slice(0, -1) : line);
    while (p.text.length >= MAX_LINE + this.margin) {
      const scrubbed = this.scrub(p.text);
      this.push(stream, scrubbed.slice(0, MAX_LINE), false);
      p.text = scrubbed.slice(MAX_LINE);
    }
  }

  /** The streams ended: what is left of a last line without a newline is a line too. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = this.partial[stream];
      const rest = p.text + p.decoder.end();
      p.text = '';
      if (rest !== '') this.push(stream, rest);
    }
  }

  private push(stream: Stream, text: string, scrub = true): void {
    const line = { seq: this.next++, stream, text: scrub ? this.scrub(text) : text };
    this.lines.push(line);
    this.chars += line.text.length;
    while (this.lines.length > this.bounds.maxLines || (this.chars > this.bounds.maxChars && this.lines.length > 1)) {
      this.chars -= this.lines.shift()!.text.length;
    }
  }

  /** The newest lines within `bounds`, for the run record. */
  tail(bounds: OutputBounds): RecordedOutput {
    const kept: OutputLine[] = [];
    let chars = 0;
    for (let i = this.lines.length - 1; i >= 0 && kept.length < bounds.maxLines; i--) {
      chars += this.lines[i]!.text.length;
      if (chars > bounds.maxChars && kept.length > 0) break;
      kept.push(this.lines[i]!);
    }
    return { lines: kept.reverse(), next: this.next };
  }

  page(cursor: string | undefined, limit: number, ended: boolean): OutputPage {
    return pageOf({ lines: this.lines, next: this.next }, cursor, limit, ended);
  }
}

/**
 * A page of kept lines after `cursor` (the next `seq` wanted, as digits; absent: from the start).
 * `truncated`: lines the caller has not seen were dropped before the first one kept. The cursor is
 * hostile input: anything but a number within what was numbered is `bad_request`.
 */
export function pageOf(output: RecordedOutput, cursor: string | undefined, limit: number, ended: boolean): OutputPage {
  const from = cursor === undefined ? 0 : parseCursor(cursor, output.next);
  const first = output.lines[0]?.seq ?? output.next;
  const start = Math.max(from, first);
  const lines = output.lines.slice(start - first, start - first + Math.max(0, Math.floor(limit)));
  const after = lines.length ? lines[lines.length - 1]!.seq + 1 : start;
  const done = ended && after >= output.next;
  return { lines, ...(done ? {} : { cursor: String(after) }), done, truncated: from < first };
}

function parseCursor(cursor: string, next: number): number {
  const n = /^\d{1,15}$/.test(cursor) ? Number(cursor) : NaN;
  if (!Number.isSafeInteger(n) || n > next) throw new KeylaunchError('bad_request', 'Invalid request: cursor is not one this run gave.');
  return n;
}
