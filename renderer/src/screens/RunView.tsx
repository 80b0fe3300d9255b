import { useState } from 'react';
import type { Run } from '../../../backend/core/model';
import { useApp } from '../appContext';
import { RunDetails } from '../components/RunDetails';
import { ErrorPanel } from '../components/ErrorPanel';

/** One run: the result right after launching, or a run opened from History. */
export function RunView(props: { run: Run; title: string; onBack: () => void; backLabel: string }) {
  const { desktop } = useApp();
  const [run, setRun] = useState(props.run);
  const [error, setError] = useState<{ code: string; message: string } | undefined>();
  const refresh = async () => {
    const r = await desktop.getRun({ runId: run.id });
    if (r.ok) {
      setRun(r.value.run);
      setError(undefined);
    } else setError(r.error);
  };
  return (
    <main aria-labelledby="run-view-title">
      <button type="button" className="link" onClick={props.onBack}>
        ← {props.backLabel}
      </button>
      <h1 id="run-view-title">{props.title}</h1>
      {error ? <ErrorPanel code={error.code} message={error.message} /> : null}
      <RunDetails run={run} onRefresh={() => void refresh()} />
    </main>
  );
}
