/**
 * The lines of an export (JSON Lines, `npm run verify -- export`): each non-blank line's JSON, its
 * `kind`, and its 1-based number for messages. A line that is not JSON is refused with `problem`'s error;
 * what a kind must hold is the reader's to check.
 */
export function exportLines(text: string, problem: (message: string) => Error): { json: unknown; kind: unknown; line: number }[] {
  const out: { json: unknown; kind: unknown; line: number }[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw problem(`line ${i + 1} is not JSON`);
    }
    out.push({ json, kind: (json as { kind?: unknown } | null)?.kind, line: i + 1 });
  });
  return out;
}
