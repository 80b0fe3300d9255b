import { useEffect, useState } from 'react';
import type { TouchState } from '../useTouchFlow';
import { ErrorPanel } from './ErrorPanel';

/**
 * What the person sees while a touch is awaited. The status line is an aria-live region, so screen
 * readers hear "Touch your security key", "Verifying", "Done" or the failure as it happens.
 */
export function TouchPrompt(props: { state: TouchState; onCancel?: () => void; onRetry?: () => void; retryLabel?: string; onResume?: () => void; doneText?: string }) {
  const { state } = props;
  const secondsLeft = useSecondsLeft(state.phase === 'waiting' ? state.deadline : undefined);
  return (
    <div className="touch">
      <div className={`touch-status phase-${state.phase}`} role="status" aria-live="polite" aria-atomic="true">
        {state.phase === 'working' && <span>{state.label}</span>}
        {state.phase === 'waiting' && (
          <>
            <span className="key-icon" aria-hidden="true">
              ◉
            </span>
            <strong>{state.prompt}</strong>
            <span className="muted"> — {secondsLeft} s left</span>
          </>
        )}
        {state.phase === 'paused' && <strong>{state.prompt}</strong>}
        {state.phase === 'verifying' && <span>Verifying…</span>}
        {state.phase === 'done' && <span>{props.doneText ?? 'Done.'}</span>}
        {state.phase === 'failed' && <span>Failed.</span>}
      </div>
      {state.phase === 'paused' && props.onResume ? (
        <div className="actions">
          <button type="button" onClick={props.onResume} autoFocus>
            {state.action}
          </button>
          {props.onCancel ? (
            <button type="button" className="secondary" onClick={props.onCancel}>
              Cancel
            </button>
          ) : null}
        </div>
      ) : null}
      {state.phase === 'waiting' && props.onCancel ? (
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      ) : null}
      {state.phase === 'failed' ? <ErrorPanel code={state.code} message={state.message} details={state.details} onRetry={props.onRetry} retryLabel={props.retryLabel} /> : null}
    </div>
  );
}

function useSecondsLeft(deadline: number | undefined): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (deadline === undefined) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [deadline]);
  return deadline === undefined ? 0 : Math.max(0, Math.ceil((deadline - now) / 1000));
}
