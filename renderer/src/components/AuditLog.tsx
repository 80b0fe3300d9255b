import { useEffect, useMemo, useState } from 'react';
import type { AuditEntry } from '../../../backend/core/model';
import { useApp } from '../appContext';
import { ErrorPanel } from './ErrorPanel';
import { FilterSelect } from './FilterSelect';
import { ago } from '../timeWords';

const OUTCOMES = ['accepted', 'refused', 'failed'] as const;
const PAGE = 50;

/** Filters over the loaded entries: the verifier pages by time only, so filtering is the screen's. */
export interface AuditFilter {
  outcome: string;
  action: string;
  person: string;
}

/** Pure: which loaded entries a filter keeps, newest first (pages are merged, so order is ensured here). */
export function filterAudit(entries: readonly AuditEntry[], f: AuditFilter): AuditEntry[] {
  return entries
    .filter((e) => (!f.outcome || e.outcome === f.outcome) && (!f.action || e.action === f.action) && (!f.person || (e.userName ?? '') === f.person))
    .sort((a, b) => b.at - a.at);
}

/** What an entry was about, in one line: job, run, fingerprint and the verifier's own words. */
const subject = (e: AuditEntry) => [e.job, e.runId, e.fingerprint, e.detail].filter((s) => s !== undefined && s !== '').join(' · ');

/** The admin's view of the audit log (`GET /v1/audit`): newest first, older pages by cursor, filtered. */
export function AuditLog() {
  const { desktop } = useApp();
  const [entries, setEntries] = useState<AuditEntry[] | undefined>();
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<{ code: string; message: string } | undefined>();
  const [filter, setFilter] = useState<AuditFilter>({ outcome: '', action: '', person: '' });
  const [loading, setLoading] = useState(false);
  const load = async (from?: string) => {
    setLoading(true);
    const r = await desktop.listAudit({ limit: PAGE, ...(from ? { cursor: from } : {}) });
    setLoading(false);
    if (!r.ok) return setError(r.error);
    setError(undefined);
    // An entry already loaded (a page boundary moved while entries were written) is kept once.
    setEntries((old) => {
      const seen = new Set((from ? old ?? [] : []).map((e) => e.id));
      return [...(from ? old ?? [] : []), ...r.value.entries.filter((e) => !seen.has(e.id))];
    });
    setCursor(r.value.cursor);
  };
  useEffect(() => {
    void load();
  }, []);
  const all = entries ?? [];
  const actions = useMemo(() => [...new Set(all.map((e) => e.action))].sort(), [entries]);
  const people = useMemo(() => [...new Set(all.map((e) => e.userName ?? ''))].filter((p) => p !== '').sort(), [entries]);
  const shown = filterAudit(all, filter);
  const now = Date.now();
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      {error ? <ErrorPanel code={error.code} message={error.message} onRetry={() => void load()} /> : null}
      {entries?.length === 0 ? <p className="muted">No entries yet.</p> : null}
      {all.length > 0 ? (
        <>
          <div className="filters" role="group" aria-label="Filter audit entries">
            <FilterSelect label="Outcome" any="Any outcome" options={OUTCOMES} value={filter.outcome} onChange={(outcome) => setFilter({ ...filter, outcome })} />
            <FilterSelect label="Action" any="All actions" options={actions} value={filter.action} onChange={(action) => setFilter({ ...filter, action })} />
            <FilterSelect label="Person" any="Everyone" options={people} value={filter.person} onChange={(person) => setFilter({ ...filter, person })} />
            <span className="muted small" role="status">
              {shown.length} of {all.length} loaded entries
            </span>
          </div>
          <table className="runs audit">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Outcome</th>
                <th scope="col">Who</th>
                <th scope="col">About</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => (
                <tr key={e.id}>
                  <td>
                    <time dateTime={new Date(e.at).toISOString()} title={new Date(e.at).toLocaleString()}>
                      {ago(e.at, now)}
                    </time>
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    {/* The badge colours the run history already uses (contrast checked by axe in both themes). */}
                    <span className={e.outcome === 'accepted' ? 'badge' : 'badge status-failed'}>{e.outcome}</span>
                    {e.code ? <span className="muted small block">{e.code}</span> : null}
                  </td>
                  <td>
                    {e.userName ?? <span className="muted">—</span>}
                    <span className="muted small block">{e.sourceIp}</span>
                  </td>
                  <td className="small">{subject(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {cursor ? (
        <button type="button" className="secondary" disabled={loading} onClick={() => void load(cursor)}>
          Older entries
        </button>
      ) : null}
    </section>
  );
}
