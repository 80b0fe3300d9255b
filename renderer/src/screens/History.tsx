import { useEffect, useMemo, useState } from 'react';
import type { Run } from '../../../backend/core/model';
import { useApp } from '../appContext';
import { ErrorPanel } from '../components/ErrorPanel';
import { FilterSelect } from '../components/FilterSelect';
import { runHeading } from '../runs/runStatus';
import { ago, duration } from '../timeWords';

const ENDED = new Set(['succeeded', 'failed', 'ended', 'lost', 'cancelled']);

/** Recent runs: who ran what, when, and how it went; filtered by person, job and status; run again. */
export function History(props: { onOpen: (run: Run) => void; me: string; onRunAgain?: (run: Run) => Promise<string | undefined> }) {
  const { desktop } = useApp();
  const [runs, setRuns] = useState<Run[] | undefined>();
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<{ code: string; message: string } | undefined>();
  const [againRefused, setAgainRefused] = useState<string | undefined>();
  const [filter, setFilter] = useState({ who: 'all', job: '', status: '' });
  const [copied, setCopied] = useState('');
  const load = async (from?: string) => {
    const r = await desktop.listRuns({ limit: 25, ...(from ? { cursor: from } : {}) });
    if (!r.ok) return setError(r.error);
    setRuns((old) => (from ? [...(old ?? []), ...r.value.runs] : r.value.runs));
    setCursor(r.value.cursor);
  };
  useEffect(() => {
    void load();
  }, []);
  const now = Date.now();
  const jobs = useMemo(() => [...new Set((runs ?? []).map((r) => r.job))].sort(), [runs]);
  const statuses = useMemo(() => [...new Set((runs ?? []).map((r) => r.status))].sort(), [runs]);
  const shown = (runs ?? []).filter((r) => (filter.who === 'all' || r.userName === props.me) && (!filter.job || r.job === filter.job) && (!filter.status || r.status === filter.status));
  const copy = (what: string, text: string) =>
    // The page has no clipboard permission: main copies (as for a run's output).
    void desktop.copyText({ text }).then((r) => setCopied(r.ok && r.value ? `${what} copied.` : `Could not copy the ${what.toLowerCase()}.`));
  return (
    <main aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      {error ? <ErrorPanel code={error.code} message={error.message} onRetry={() => void load()} /> : null}
      {againRefused ? (
        <p className="muted" role="status">
          {againRefused}
        </p>
      ) : null}
      {runs?.length === 0 ? <p className="muted">No runs yet.</p> : null}
      {runs && runs.length > 0 ? (
        <>
          <div className="filters" role="group" aria-label="Filter runs">
            <FilterSelect label="Who" any="Everyone" anyValue="all" options={[{ value: 'mine', label: 'Mine' }]} value={filter.who} onChange={(who) => setFilter({ ...filter, who })} />
            <FilterSelect label="Job" any="All jobs" options={jobs} value={filter.job} onChange={(job) => setFilter({ ...filter, job })} />
            <FilterSelect label="Status" any="Any status" options={statuses} value={filter.status} onChange={(status) => setFilter({ ...filter, status })} />
            <span className="muted small" role="status">
              {shown.length} of {runs.length} loaded runs{copied ? ` · ${copied}` : ''}
            </span>
          </div>
          <table className="runs">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Job</th>
                <th scope="col">Who</th>
                <th scope="col">Status</th>
                <th scope="col">Fingerprint</th>
                {props.onRunAgain ? <th scope="col"><span className="visually-hidden">Actions</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {shown.map((run) => (
                <tr key={run.id}>
                  <td>
                    <button type="button" className="link" onClick={() => props.onOpen(run)} title={new Date(run.createdAt).toLocaleString()}>
                      {ago(run.createdAt, now)}
                    </button>
                    {ENDED.has(run.status) ? <span className="muted small block">took {duration(run.updatedAt - run.createdAt)}</span> : null}
                  </td>
                  <td>{run.job}</td>
                  <td>{run.userName}</td>
                  <td>
                    {/* The run page's word for it: a failed start reads "Not launched", not "failed". */}
                    <span className={`badge status-${run.status}`}>{runHeading(run).word}</span>
                  </td>
                  <td>
                    <code>{run.fingerprint}</code>{' '}
                    <button type="button" className="link small" aria-label={`Copy fingerprint ${run.fingerprint}`} onClick={() => copy('Fingerprint', run.fingerprint)}>
                      copy
                    </button>{' '}
                    <button type="button" className="link small" aria-label={`Copy id of the run ${ago(run.createdAt, now)}`} onClick={() => copy('Run id', run.id)}>
                      copy id
                    </button>
                  </td>
                  {props.onRunAgain ? (
                    <td>
                      <button type="button" className="secondary small" aria-label={`Run again: ${run.job}, from the run of ${new Date(run.createdAt).toLocaleString()}`} onClick={() => void props.onRunAgain!(run).then(setAgainRefused)}>
                        Run again
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {cursor ? (
        <button type="button" className="secondary" onClick={() => void load(cursor)}>
          Older runs
        </button>
      ) : null}
    </main>
  );
}
