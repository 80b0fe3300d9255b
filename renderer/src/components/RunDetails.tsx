import type { Run } from '../../../backend/core/model';
import { ErrorPanel } from './ErrorPanel';
import { ParamList } from './ParamList';
import { OutputView } from './OutputView';
import type { FollowView } from '../runs/runFollower';

/** A run as the record has it: what ran, who approved it, what happened, and its output. */
export function RunDetails(props: { run: Run; output?: FollowView }) {
  const { run, output } = props;
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
        {run.cancelledBy ? (
          <>
            <dt>Cancelled by</dt>
            <dd>
              {run.cancelledBy.userName} at {new Date(run.cancelledBy.at).toLocaleString()} (<code>{run.cancelledBy.fingerprint}</code>)
            </dd>
          </>
        ) : null}
        {run.launch ? (
          <>
            <dt>Launch</dt>
            <dd>{run.launch.summary}</dd>
          </>
        ) : null}
      </dl>
      {run.failure ? <ErrorPanel code={run.failure.code} message={run.failure.message} details={run.launch as Record<string, unknown> | undefined} /> : null}
      {output?.outputAvailable ? <LiveOutput output={output} /> : <RecordedOutput run={run} />}
    </section>
  );
}

function LiveOutput(props: { output: FollowView }) {
  const { output } = props;
  return (
    <>
      <h2>Output</h2>
      {output.lines.length === 0 ? <p className="muted">{output.live ? 'No output yet.' : 'No output.'}</p> : <OutputView lines={output.lines} label="Output" />}
      {output.dropped > 0 || output.truncated ? (
        <p className="muted small">
          {output.dropped > 0 ? `The first ${output.dropped.toLocaleString()} lines are not shown here. ` : ''}
          {output.truncated ? 'The verifier kept only part of the output. ' : ''}
          {output.consoleUrl ? 'The full log is in the AWS console.' : ''}
        </p>
      ) : null}
    </>
  );
}

/** A verifier without the output route: the record's own bounded stdout and stderr. */
function RecordedOutput(props: { run: Run }) {
  const { run } = props;
  return (
    <>
      {run.launch?.stdout ? (
        <>
          <h2>Output</h2>
          <pre className="output" role="log" aria-label="Standard output" tabIndex={0}>{run.launch.stdout}</pre>
        </>
      ) : null}
      {run.launch?.stderr ? (
        <>
          <h2>Errors</h2>
          <pre className="output stderr" role="log" aria-label="Standard error" tabIndex={0}>{run.launch.stderr}</pre>
        </>
      ) : null}
      {run.launch?.truncated ? <p className="muted small">Output was cut at 64 KiB.</p> : null}
    </>
  );
}
