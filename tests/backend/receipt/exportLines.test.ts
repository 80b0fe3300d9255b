import { describe, expect, it } from 'vitest';
import { ExportProblem, readKeysExport } from '../../../backend/receipt/trustedRecords';
import { AuditExportProblem, readAuditExport } from '../../../backend/receipt/verifyAudit';

/** Reading an export (JSON Lines) for `npm run verify`: refusals name the line a person has to look at. */
describe('export lines', () => {
  const verifier = JSON.stringify({ kind: 'verifier', rpId: 'keylaunch.test', origins: ['https://keylaunch.test'] });
  const run = JSON.stringify({ kind: 'run', run: {} });

  it('skips blank lines and kinds a reader does not use, counting lines as a person does', () => {
    expect(readKeysExport(`\n${run}\n\n${verifier}\n`)).toEqual({ keys: [], verifier: { rpId: 'keylaunch.test', origins: ['https://keylaunch.test'] } });
    expect(readAuditExport(`${verifier}\n${run}\n`)).toEqual({ entries: [], signatures: [] });
  });

  it('a line that is not JSON is refused with its number, as the reader’s own problem', () => {
    const text = `${verifier}\n\n{"kind":"key",\n`;
    expect(() => readKeysExport(text)).toThrow(new ExportProblem('line 3 is not JSON'));
    expect(() => readAuditExport(text)).toThrow(AuditExportProblem);
    expect(() => readAuditExport(text)).toThrow('line 3 is not JSON');
  });

  it('a line of a used kind that does not hold what the kind must is refused with its number', () => {
    expect(() => readKeysExport(`${run}\n${JSON.stringify({ kind: 'verifier', rpId: '' })}`)).toThrow(/^line 2 is not a verifier line/);
    expect(() => readAuditExport(`${run}\n${verifier}\n${JSON.stringify({ kind: 'audit-head', seq: 'x' })}`)).toThrow('line 3 is not a valid audit-head line');
  });
});
