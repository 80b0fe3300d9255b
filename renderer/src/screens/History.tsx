import { useEffect, useState } from 'react';
import type { Run } from '../../../backend/core/model';
import { useApp } from '../appContext';
import { ErrorPanel } from '../components/ErrorPanel';
import { runHeading } from '../runs/runStatus';

/** Recent runs: who ran what, when, and how it went. */
export function History(props: { onOpen: (run: Run) => void; onRunAgain?: (run: Run) => Promise<string | undefined> }) {
  const { desktop } = useApp();
  const [runs, setRuns] = useState<Run[] | undefined>();
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<{ code: string; message: string } | undefined>();
  const [againRefused, setAgainRefused] = useState<string | undefined>();
  const load = async (from?: string) => {
    const r = await desktop.listRuns({ limit: 25, ...(from ? { cursor: from } : {}) });
    if (!r.ok) return setError(r.error);
    setRuns((old) => (from ? [...(old ?? []), ...r.value.runs] : r.value.runs));
    setCursor(r.value.cursor);
  };
  useEffect(() => {
    void load();
  }, []);
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
            {runs.map((run) => (
              <tr key={run.id}>
                <td>
                  <button type="button" className="link" onClick={() => props.onOpen(run)}>
                    {new Date(run.createdAt).toLocaleString()}
                  </button>
                </td>
                <td>{run.job}</td>
                <td>{run.userName}</td>
                <td>
                  {/* The run page's word for it: a failed start reads "Not launched", not "failed". */}
                  <span className={`badge status-${run.status}`}>{runHeading(run).word}</span>
                </td>
                <td>
                  <code>{run.fingerprint}</code>
                </td>
                {props.onRunAgain ? (
                  <td>
                    <button type="button" className="secondary small" aria-label={`Run ${run.job} again (from the run of ${new Date(run.createdAt).toLocaleString()})`} onClick={() => void props.onRunAgain!(run).then(setAgainRefused)}>
                      Run again
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {cursor ? (
        <button type="button" className="secondary" onClick={() => void load(cursor)}>
          Older runs
        </button>
      ) : null}
    </main>
  );
}
