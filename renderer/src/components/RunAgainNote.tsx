import type { Run } from '../../../backend/core/model';

/** Says which run the form was filled from, and what differs from it now (./runs/runAgain.ts). */
export function RunAgainNote(props: { run: Run; changes: string[] }) {
  const { run, changes } = props;
  return (
    <section className={`panel run-again${changes.length ? ' changed' : ''}`} aria-label="Run again">
      <p>
        Filled from the run of {new Date(run.createdAt).toLocaleString()} by {run.userName} (<code>{run.fingerprint}</code>). This is a new approval: review it, then touch
        your key.
      </p>
      {changes.length ? (
        <>
          <h2 className="small-heading">Changed since that run</h2>
          <ul>
            {changes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted small">The job’s parameters are as they were for that run.</p>
      )}
    </section>
  );
}
