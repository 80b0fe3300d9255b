import { describe, expect, it } from 'vitest';
import { MAX_LINE, OutputBuffer, pageOf } from '../../../backend/adapters/launcher/outputBuffer';

const BIG = { maxLines: 10_000, maxChars: 10_000_000 };
const b = (s: string) => Buffer.from(s, 'utf8');
const texts = (o: OutputBuffer) => o.page(undefined, 10_000, false).lines.map((l) => `${l.stream}:${l.text}`);

describe('output buffer: lines', () => {
  it('numbers lines in arrival order across stdout and stderr, and joins lines split across reads', () => {
    const o = new OutputBuffer(BIG);
    o.add('stdout', b('one\ntw'));
    o.add('stderr', b('err 1\n'));
    o.add('stdout', b('o\r\nthree'));
    o.end();
    const page = o.page(undefined, 100, true);
    expect(page.lines).toEqual([
      { seq: 0, stream: 'stdout', text: 'one' },
      { seq: 1, stream: 'stderr', text: 'err 1' },
      { seq: 2, stream: 'stdout', text: 'two' },
      { seq: 3, stream: 'stdout', text: 'three' }, // the last line had no newline: it is still a line at the end
    ]);
    expect(page).toMatchObject({ done: true, truncated: false });
    expect(page.cursor).toBeUndefined();
  });

  it('joins a UTF-8 character split across two reads, per stream', () => {
    const o = new OutputBuffer(BIG);
    const euro = b('€\n'); // 3 bytes + newline
    o.add('stdout', euro.subarray(0, 1));
    o.add('stderr', b('é'.normalize()).subarray(0, 1));
    o.add('stdout', euro.subarray(1));
    o.add('stderr', Buffer.concat([b('é').subarray(1), b('\n')]));
    expect(texts(o)).toEqual(['stdout:€', 'stderr:é']);
  });

  it('cuts a line with no end at MAX_LINE characters, holding at most that (plus a secret) in memory', () => {
    const o = new OutputBuffer(BIG);
    for (let i = 0; i < 5; i++) o.add('stdout', b('x'.repeat(MAX_LINE)));
    const lines = o.page(undefined, 100, false).lines;
    expect(lines.map((l) => l.text.length)).toEqual([MAX_LINE, MAX_LINE, MAX_LINE, MAX_LINE, MAX_LINE]);
    o.end();
    expect(o.page(undefined, 100, true).lines).toHaveLength(5);
  });

  it('scrubs secrets, also one that straddles where a long line is cut', () => {
    const secret = 'hunter2-secret';
    const o = new OutputBuffer(BIG, (t) => t.split(secret).join('[secret]'), secret.length);
    o.add('stdout', b(`pin ${secret}\n`));
    // The secret starts 3 characters before the cut point, and arrives in two reads.
    o.add('stdout', b('y'.repeat(MAX_LINE - 3) + secret.slice(0, 5)));
    o.add('stdout', b(secret.slice(5) + 'z'.repeat(100)));
    o.end();
    const all = o.page(undefined, 100, true).lines.map((l) => l.text).join('');
    expect(all).not.toContain(secret);
    expect(all).not.toContain(secret.slice(0, 5) + secret.slice(5, 8)); // no piece of it long enough to read
    expect(all.match(/\[secret\]/g)).toHaveLength(2);
  });
});

describe('output buffer: bounds', () => {
  it('keeps the newest lines within its line bound, and says lines were dropped', () => {
    const o = new OutputBuffer({ maxLines: 100, maxChars: 1_000_000 });
    for (let i = 0; i < 1000; i++) o.add(i % 2 ? 'stderr' : 'stdout', b(`line ${i}\n`));
    const page = o.page(undefined, 1000, false);
    expect(page.lines).toHaveLength(100);
    expect(page.lines[0]).toMatchObject({ seq: 900, text: 'line 900' });
    expect(page.truncated).toBe(true);
    // A caller already past what was dropped is told nothing was dropped for it.
    expect(o.page('950', 1000, false)).toMatchObject({ truncated: false, lines: expect.arrayContaining([expect.objectContaining({ seq: 950 })]) });
  });

  it('keeps within its character bound too', () => {
    const o = new OutputBuffer({ maxLines: 10_000, maxChars: 1000 });
    for (let i = 0; i < 100; i++) o.add('stdout', b('z'.repeat(99) + '\n'));
    const lines = o.page(undefined, 1000, false).lines;
    expect(lines.reduce((n, l) => n + l.text.length, 0)).toBeLessThanOrEqual(1000);
    expect(lines.at(-1)!.seq).toBe(99);
  });

  it('the tail for the record is bounded and ends where the numbering stopped', () => {
    const o = new OutputBuffer(BIG);
    for (let i = 0; i < 50; i++) o.add('stdout', b(`${i}\n`));
    o.end();
    const tail = o.tail({ maxLines: 10, maxChars: 1000 });
    expect(tail.next).toBe(50);
    expect(tail.lines.map((l) => l.seq)).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
    expect(pageOf(tail, '45', 100, true)).toEqual({ lines: tail.lines.slice(5), done: true, truncated: false });
    expect(pageOf(tail, '0', 100, true).truncated).toBe(true);
  });
});

describe('output buffer: pages and cursors', () => {
  const output = { lines: [0, 1, 2, 3, 4].map((seq) => ({ seq, stream: 'stdout' as const, text: `l${seq}` })), next: 5 };

  it('pages by cursor and limit; the cursor continues where the page stopped; done only once ended and read', () => {
    const first = pageOf(output, undefined, 2, false);
    expect(first).toMatchObject({ lines: [{ seq: 0 }, { seq: 1 }], cursor: '2', done: false });
    expect(pageOf(output, first.cursor, 10, false)).toMatchObject({ lines: [{ seq: 2 }, { seq: 3 }, { seq: 4 }], cursor: '5', done: false });
    expect(pageOf(output, '5', 10, false)).toEqual({ lines: [], cursor: '5', done: false, truncated: false });
    expect(pageOf(output, '3', 1, true)).toMatchObject({ cursor: '4', done: false });
    expect(pageOf(output, '5', 10, true)).toEqual({ lines: [], done: true, truncated: false });
  });

  it.each(['abc', '-1', '1e3', ' 1', '1.5', '0x1', '6', '9999999999999999', '1'.repeat(40), ''])('refuses the cursor %j (bad_request)', (cursor) => {
    expect(() => pageOf(output, cursor, 10, false)).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});
