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
        // Only parameters can be compared here: the job list does not carry the definition's version, so a
        // changed target is not said; the review shows what will run now.
        <p className="muted small">The job’s parameters are the same as for that run; check what will run in the review.</p>
      )}
    </section>
  );
}
