import { useEffect, useMemo, useState } from 'react';
import type { JobSummary } from '../../../backend/core/queries';
import type { Run } from '../../../backend/core/model';
import { useApp } from '../appContext';
import { ErrorPanel } from '../components/ErrorPanel';
import { loadPinned, savePinned } from '../localPrefs';
import { orderJobs } from '../jobOrder';

/** What a job's type means to the person running it (not the definition's keyword). */
export const TYPE_NAMES: Record<string, string> = {
  local: 'Local process',
  lambda: 'AWS Lambda',
  ec2: 'EC2 instance',
  'ssm-command': 'SSM Run Command',
  'ecs-task': 'ECS task',
  'step-functions': 'Step Functions',
};

/** The catalog: searchable, with each job's availability and its last run. Keyboard: type, Tab, Enter. */
export function Jobs(props: { onOpen: (job: JobSummary) => void; showBackupHint: boolean; onKeys: () => void; me: string }) {
  const { desktop } = useApp();
  const [jobs, setJobs] = useState<JobSummary[] | undefined>();
  const [lastRuns, setLastRuns] = useState<Record<string, Run>>({});
  const [error, setError] = useState<{ code: string; message: string } | undefined>();
  const [query, setQuery] = useState('');
  const [pinned, setPinned] = useState(loadPinned);
  const [runs, setRuns] = useState<Run[]>([]);
  const togglePin = (name: string) => {
    const next = pinned.includes(name) ? pinned.filter((n) => n !== name) : [...pinned, name];
    setPinned(next);
    savePinned(next);
  };

  const load = async () => {
    setError(undefined);
    const [j, r] = await Promise.all([desktop.listJobs(), desktop.listRuns({ limit: 100 })]);
    if (!j.ok) return setError(j.error);
    setJobs(j.value.jobs);
    if (r.ok) {
      setRuns(r.value.runs);
      const latest: Record<string, Run> = {};
      for (const run of r.value.runs) latest[run.job] ??= run;
      setLastRuns(latest);
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const shown = useMemo(() => orderJobs(jobs ?? [], { pinned, recentRuns: runs, me: props.me, query }), [jobs, pinned, runs, props.me, query]);

  return (
    <main aria-labelledby="jobs-title">
      <h1 id="jobs-title">Jobs</h1>
      {props.showBackupHint ? (
        <div className="panel hint">
          You have only one key. <button type="button" className="link" onClick={props.onKeys}>Add a backup key</button> so that losing it does not lock you out.
        </div>
      ) : null}
      <label htmlFor="job-search" className="visually-hidden">
        Search jobs
      </label>
      <input
        id="job-search"
        type="search"
        placeholder="Search jobs"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          // Enter opens the one job that matches: type, Enter, and the form is there.
          const only = shown.length === 1 ? shown[0] : undefined;
          if (e.key === 'Enter' && only?.available) props.onOpen(only);
        }}
        aria-describedby="job-search-count"
        autoFocus
      />
      <p id="job-search-count" className="visually-hidden" role="status">
        {jobs ? `${shown.length} ${shown.length === 1 ? 'job matches' : 'jobs match'}${shown.length === 1 && shown[0]!.available ? '; Enter opens it' : ''}` : ''}
      </p>
      {error ? <ErrorPanel code={error.code} message={error.message} onRetry={() => void load()} /> : null}
      {jobs === undefined && !error ? <p aria-busy="true">Loading jobs…</p> : null}
      {jobs && shown.length === 0 ? <p className="muted">No jobs match.</p> : null}
      <ul className="job-list">
        {shown.map((job) => {
          const last = lastRuns[job.name];
          return (
            <li key={job.name} className="job-row">
              {/* The description is inside the button, so it is part of its name: no aria-describedby (read twice). */}
              <button type="button" className="job" onClick={() => props.onOpen(job)} disabled={!job.available} title={job.available ? undefined : job.reason}>
                <span className="job-title" id={`job-${job.name}-title`}>{job.title}</span>
                <span className="badge">{TYPE_NAMES[job.type] ?? 'Unavailable'}</span>
                {last ? <span className={`badge status-${last.status}`}>last: {last.status}</span> : null}
                <span id={`job-${job.name}-desc`} className="job-desc">
                  {job.available ? (job.description ?? job.name) : 'Unavailable: its definition needs a fix by its owner.'}
                </span>
              </button>
              <button type="button" className="pin" aria-pressed={pinned.includes(job.name)} aria-label="Pin" aria-describedby={`job-${job.name}-title`} title={pinned.includes(job.name) ? 'Pinned: first in the list' : 'Pin to the top'} onClick={() => togglePin(job.name)}>
                {pinned.includes(job.name) ? '★' : '☆'}
              </button>
            </li>
          );
        })}
      </ul>
    </main>
  );
}
