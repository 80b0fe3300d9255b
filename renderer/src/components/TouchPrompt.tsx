import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { TouchState, TouchWait } from '../useTouchFlow';
import { ErrorPanel } from './ErrorPanel';

/** A key of the person's, to name the ones that can answer a touch. */
export interface KnownKey {
  id: string;
  label: string;
}

const SHEET_PHASES = new Set<TouchState['phase']>(['working', 'waiting', 'paused', 'verifying', 'failed']);

/**
 * Everything after main's review: a modal sheet (the native <dialog> in the top layer, so it is always
 * inside the viewport and the screen behind it is inert) that says what is approved, its fingerprint,
 * which keys can answer, whether a PIN is needed and the time left, with Cancel and Escape. A failure
 * appears in the same sheet, focused. While the sheet is open nothing else can be clicked, so a pending
 * approval cannot be left behind by navigating away.
 */
export function TouchPrompt(props: {
  state: TouchState;
  onCancel?: () => void;
  onRetry?: () => void;
  retryLabel?: string;
  onResume?: () => void;
  /** Closes a failed sheet (Escape or "Close"). */
  onDismiss?: () => void;
  doneText?: string;
  keys?: KnownKey[];
}) {
  const { state } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const open = SHEET_PHASES.has(state.phase);
  const escape = state.phase === 'failed' ? props.onDismiss : state.phase === 'verifying' ? undefined : props.onCancel;

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', ''); // jsdom
    } else if (!open && d.open) {
      if (typeof d.close === 'function') d.close();
      else d.removeAttribute('open');
    }
    if (!open) return;
    // Focus what the person needs now: the error, the one action, or the sheet's heading.
    const target = d.querySelector<HTMLElement>('[role="alert"]') ?? d.querySelector<HTMLElement>('[data-autofocus]') ?? d.querySelector<HTMLElement>('h2');
    target?.focus();
  }, [open, state.phase]);

  return (
    <>
      <dialog
        ref={dialog}
        className="sheet"
        aria-labelledby="touch-sheet-title"
        onCancel={(e) => {
          e.preventDefault(); // Escape: our answer, not the browser's close
          escape?.();
        }}
        onClose={() => {
          // Closed by the browser anyway (a repeated Escape): treat it as the person's Escape.
          if (SHEET_PHASES.has(state.phase)) escape?.();
        }}
      >
        {open ? <SheetBody {...props} /> : null}
      </dialog>
      <div className="touch-after" role="status" aria-live="polite" aria-atomic="true">
        {state.phase === 'done' ? <span>{props.doneText ?? 'Done.'}</span> : null}
        {state.phase === 'cancelled' ? (
          <span className="muted" data-code="cancelled">
            Cancelled. Nothing was approved or run.
          </span>
        ) : null}
      </div>
    </>
  );
}

function SheetBody(props: Parameters<typeof TouchPrompt>[0]) {
  const { state } = props;
  const secondsLeft = useSecondsLeft(state.phase === 'waiting' ? state.deadline : undefined);
  if (state.phase === 'failed') {
    return (
      <div className="sheet-body">
        <ErrorPanel code={state.code} message={state.message} details={state.details} titleId="touch-sheet-title" />
        {state.code === 'not_allowed' && Array.isArray(state.details?.allow) ? (
          <p>
            <strong>Keys registered here for you: </strong>
            {whichKeys({ allow: state.details.allow as string[], pin: false }, props.keys)}
          </p>
        ) : null}
        <div className="actions">
          {props.onRetry ? (
            <button type="button" className="primary" onClick={props.onRetry}>
              {props.retryLabel ?? 'Try again'}
            </button>
          ) : null}
          {props.onDismiss ? (
            <button type="button" className="secondary" onClick={props.onDismiss}>
              Close <kbd aria-hidden="true">Esc</kbd>
            </button>
          ) : null}
        </div>
      </div>
    );
  }
  const cancel = props.onCancel ? (
    <button type="button" className="secondary" onClick={props.onCancel}>
      Cancel <kbd aria-hidden="true">Esc</kbd>
    </button>
  ) : null;
  const title = (text: ReactNode, busy = false) => (
    <h2 id="touch-sheet-title" tabIndex={-1} aria-busy={busy || undefined}>
      {text}
    </h2>
  );
  if (state.phase === 'waiting') {
    return (
      <div className="sheet-body">
        <p className="key-icon" aria-hidden="true">
          ◉
        </p>
        {title(state.prompt)}
        <dl className="facts">
          {state.wait.summary ? (
            <>
              <dt>Approving</dt>
              <dd>{state.wait.summary}</dd>
            </>
          ) : null}
          {state.wait.fingerprint ? (
            <>
              <dt>Fingerprint</dt>
              <dd>
                <code className="fingerprint">{state.wait.fingerprint}</code>
                <span className="muted small block">The same code appears in the approval dialog and on the run record.</span>
              </dd>
            </>
          ) : null}
          <dt>Key</dt>
          <dd>{whichKeys(state.wait, props.keys)}</dd>
          <dt>PIN</dt>
          <dd>{state.wait.pin ? 'Your key will ask for its PIN or fingerprint.' : 'Not needed: a touch is enough.'}</dd>
        </dl>
        <p className="touch-status" role="timer">
          <span className="countdown">{secondsLeft} s left</span>
        </p>
        <div className="actions">{cancel}</div>
      </div>
    );
  }
  if (state.phase === 'paused') {
    return (
      <div className="sheet-body">
        {title(state.prompt)}
        <div className="actions">
          {props.onResume ? (
            <button type="button" className="primary" onClick={props.onResume} data-autofocus>
              {state.action}
            </button>
          ) : null}
          {cancel}
        </div>
      </div>
    );
  }
  return (
    <div className="sheet-body">
      {title(state.phase === 'working' ? state.label : 'Verifying…', true)}
      {state.phase === 'working' ? <div className="actions">{cancel}</div> : null}
    </div>
  );
}

/** The keys that can answer, by label: the person knows their keys by the names they gave them. */
function whichKeys(wait: TouchWait, keys: KnownKey[] | undefined): string {
  if (wait.newKey) return 'The new key you are adding.';
  const named = (keys ?? []).filter((k) => wait.allow.includes(k.id)).map((k) => k.label);
  if (named.length === 1) return `${named[0]}`;
  if (named.length > 1) return `Any of: ${named.join(', ')}`;
  return 'One of your registered keys.';
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
