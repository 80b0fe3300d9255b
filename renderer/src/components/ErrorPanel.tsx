import { explain } from '../explain';

/** A failure, explained: what happened and what to do next. */
export function ErrorPanel(props: { code: string; message?: string; details?: Record<string, unknown>; onRetry?: () => void; retryLabel?: string; titleId?: string }) {
  const e = explain(props.code, props.details);
  // tabIndex -1: a failure can be focused where it appears (the touch sheet moves focus to it).
  return (
    <div className="panel error" role="alert" data-code={props.code} tabIndex={-1}>
      <h2 id={props.titleId}>{e.title}</h2>
      <p>{e.detail}</p>
      <p className="next">
        <strong>Next: </strong>
        {e.next}
      </p>
      {props.message && props.message !== props.code ? <p className="muted small">Verifier said: {props.message}</p> : null}
      {props.onRetry ? (
        <button type="button" onClick={props.onRetry}>
          {props.retryLabel ?? 'Try again'}
        </button>
      ) : null}
    </div>
  );
}
