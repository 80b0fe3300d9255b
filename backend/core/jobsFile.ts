import { parse } from 'yaml';

/**
 * The jobs file format, shared by local mode's catalog and `npm run jobs -- push`: YAML or JSON (YAML
 * reads both), a document `{ jobs: [ … ] }`. Returns the raw job objects, or why the file is unusable.
 */
export function readJobsDocument(text: string): { jobs: unknown[] } | { reason: string } {
  let doc: unknown;
  // A file that starts like JSON is read as JSON, so a broken one gets the JSON parser's own message.
  if (/^\s*[{[]/.test(text)) {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      return { reason: `the jobs file is not valid JSON: ${withLine(text, (e as Error).message.split('\n')[0]!)}` };
    }
  } else {
    try {
      doc = parse(text, { maxAliasCount: 100 });
    } catch (e) {
      return { reason: `the jobs file is not valid YAML (${(e as Error).message.split('\n')[0]})` };
    }
  }
  const jobs = (doc as { jobs?: unknown } | null)?.jobs;
  if (!Array.isArray(jobs)) return { reason: 'the jobs file needs a "jobs" list' };
  return { jobs };
}

/** Node 20's JSON.parse names a position only: add the line and column a person looks for. */
function withLine(text: string, message: string): string {
  const position = /at position (\d+)/.exec(message);
  if (!position || /line \d+/.test(message)) return message;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  return `${message} (line ${line} column ${before.length - before.lastIndexOf('\n')})`;
}
