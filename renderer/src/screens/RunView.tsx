import { useEffect, useRef, useState } from 'react';
import type { Run } from '../../../backend/core/model';
import { useApp } from '../appContext';
import { RunDetails } from '../components/RunDetails';
import { ErrorPanel } from '../components/ErrorPanel';
import { TouchPrompt } from '../components/TouchPrompt';
import { outputText } from '../components/OutputView';
import { isBusy, unwrap, useTouchFlow } from '../useTouchFlow';
import { elapsed, runHeading, statusAnnouncement } from '../runs/runStatus';
import { useClock, useRunFollower } from '../runs/useRunFollower';

/**
 * One run: the result right after launching, or a run opened from History or a notification. It follows
 * the run until it ends (status, elapsed time, output) without a refresh; a running run can be stopped
 * with a touch, and any run can be run again as a new approval.
 */
export function RunView(props: { run: Run; onBack: () => void; backLabel: string; onRunAgain?: (run: Run) => Promise<string | undefined> }) {
  const { desktop } = useApp();
  const { view, update } = useRunFollower(props.run);
  const { run } = view;
  const heading = runHeading(run);
  const now = useClock(run);
  const cancel = useTouchFlow();
  const [note, setNote] = useState<string | undefined>();
  // A status change while the page is open is spoken once (the status the page opened with is already the h1).
  const [announced, setAnnounced] = useState('');
  const opened = useRef(run.status);
  useEffect(() => {
    if (run.status !== opened.current) setAnnounced(statusAnnouncement(run));
  }, [run.status, run.failure?.code]);

  const stop = async () => {
    const stopped = await cancel.run(async (touch) => {
      touch.working('Asking the verifier to stop it…');
      const o = unwrap(await desktop.startCancelRun({ runId: run.id }));
      const assertion = await touch.get(o.options, o.expiresAt, `Touch your security key to stop this ${run.job} run`);
      return unwrap(await desktop.finishCancelRun({ intentId: o.intentId, assertion })).run;
    });
    if (stopped) update(stopped);
  };

  const text = () => outputText(view.lines);
  const copy = async () => {
    const r = await desktop.copyText({ text: text() });
    setNote(r.ok && r.value ? 'Output copied.' : 'Could not copy the output.');
  };
  const save = async () => {
    const r = await desktop.saveOutput({ runId: run.id, text: text() });
    setNote(r.ok ? (r.value ? 'Output saved.' : undefined) : 'Could not save the output.');
  };

  const busy = isBusy(cancel.state);
  const consoleUrl = view.consoleUrl ?? run.launch?.consoleUrl;
  return (
    <main aria-labelledby="run-view-title">
      <button type="button" className="link" onClick={props.onBack} disabled={busy}>
        ← {props.backLabel}
      </button>
      <h1 id="run-view-title" className={`run-heading tone-${heading.tone}`}>
        <span className="tone-mark" aria-hidden="true" />
        {heading.word}
      </h1>
      {/* Always in the page, so assistive technology is listening before the change it announces. */}
      <p className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="run-status-announcement">
        {announced}
      </p>
      <p className="run-summary">
        <strong>{run.job}</strong> · {heading.detail} <span className="elapsed">{hasStarted(run) ? `Elapsed: ${elapsed(run, now)}` : ''}</span>
      </p>
      <div className="actions">
        {run.status === 'running' ? (
          <button type="button" className="danger" onClick={() => void stop()} disabled={busy}>
            Cancel run
          </button>
        ) : null}
        {props.onRunAgain ? (
          <button type="button" className="secondary" onClick={() => void props.onRunAgain!(run).then(setNote)} disabled={busy}>
            Run again
          </button>
        ) : null}
        {view.lines.length > 0 ? (
          <>
            <button type="button" className="secondary" onClick={() => void copy()}>
              Copy output
            </button>
            <button type="button" className="secondary" onClick={() => void save()}>
              Save output…
            </button>
          </>
        ) : null}
        {consoleUrl ? (
          <button type="button" className="secondary" onClick={() => void desktop.openExternal({ url: consoleUrl })}>
            Open in the AWS console
          </button>
        ) : null}
      </div>
      {note ? (
        <p className="muted small" role="status">
          {note}
        </p>
      ) : null}
      {cancel.state.phase !== 'idle' ? <TouchPrompt state={cancel.state} onCancel={cancel.cancel} onRetry={() => void stop()} doneText="Stopped." /> : null}
      {view.error ? <ErrorPanel code={view.error.code} message={view.error.message} /> : null}
      <RunDetails run={run} output={view} />
    </main>
  );
}

const hasStarted = (run: Run) => run.status !== 'failed' || run.failure?.code === 'job_failed';
