import type { Run } from '../../../backend/core/model';
import { ErrorPanel } from './ErrorPanel';
import { ParamList } from './ParamList';
import { useApp } from '../appContext';

/** A run as the record has it: what ran, who approved it, what happened, and its output. */
export function RunDetails(props: { run: Run; onRefresh?: () => void }) {
  const { desktop } = useApp();
  const { run } = props;
  return (
    <section className="run" aria-label={`Run ${run.id}`}>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <span className={`badge status-${run.status}`}>{run.status}</span>
        </dd>
        <dt>Run</dt>
        <dd>
          <code>{run.id}</code>
        </dd>
        <dt>Fingerprint</dt>
        <dd>
          <code className="fingerprint">{run.fingerprint}</code>
        </dd>
        <dt>Job</dt>
        <dd>{run.job}</dd>
        <dt>Parameters</dt>
        <dd>
          <ParamList params={run.params} />
        </dd>
        <dt>Approved by</dt>
        <dd>
          {run.userName} at {new Date(run.createdAt).toLocaleString()}
        </dd>
        {run.launch ? (
          <>
            <dt>Launch</dt>
            <dd>{run.launch.summary}</dd>
          </>
        ) : null}
      </dl>
      {run.failure ? <ErrorPanel code={run.failure.code} message={run.failure.message} details={run.launch as Record<string, unknown> | undefined} /> : null}
      {run.launch?.stdout ? (
        <>
          <h3>Output</h3>
          <pre className="output" aria-label="Standard output">{run.launch.stdout}</pre>
        </>
      ) : null}
      {run.launch?.stderr ? (
        <>
          <h3>Errors</h3>
          <pre className="output stderr" aria-label="Standard error">{run.launch.stderr}</pre>
        </>
      ) : null}
      {run.launch?.truncated ? <p className="muted small">Output was cut at 64 KiB.</p> : null}
      <div className="actions">
        {props.onRefresh ? (
          <button type="button" className="secondary" onClick={props.onRefresh}>
            Refresh status
          </button>
        ) : null}
        {run.launch?.consoleUrl ? (
          <button type="button" className="secondary" onClick={() => void desktop.openExternal({ url: run.launch!.consoleUrl! })}>
            Open in the AWS console
          </button>
        ) : null}
      </div>
    </section>
  );
}
