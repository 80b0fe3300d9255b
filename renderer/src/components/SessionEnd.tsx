import type { SessionState } from '../../../electron/shared/desktopApi';
import { useUnlock } from '../screens/Locked';
import { TouchPrompt } from './TouchPrompt';

/** How long before the session's hard end, and before the idle lock, the person is warned. */
export const WARN_BEFORE_END_MS = 3 * 60_000;
export const WARN_BEFORE_IDLE_MS = 60_000;

/**
 * A warning before the app locks: before the session's hard end the person can renew it with a touch
 * (instead of being dropped mid-form); before the idle lock, any input keeps it unlocked.
 */
export function SessionEnd(props: { session: SessionState; now: number; onRenewed: (s: SessionState) => void }) {
  const { flow, unlock } = useUnlock(props.onRenewed);
  const toEnd = props.session.expiresAt - props.now;
  const toIdle = props.session.idleLockAt - props.now;
  const ending = toEnd <= WARN_BEFORE_END_MS && props.session.idleLockAt >= props.session.expiresAt - 1000;
  return (
    <>
      {ending ? (
        <div className="banner warn" role="alert">
          Your session ends in <span role="timer">{clock(toEnd)}</span>. Renew it now to keep working: your form stays as it is.{' '}
          <button type="button" className="secondary" onClick={() => void unlock()}>
            Renew with a touch
          </button>
        </div>
      ) : toIdle <= WARN_BEFORE_IDLE_MS ? (
        <div className="banner warn" role="alert">
          keylaunch locks in <span role="timer">{clock(toIdle)}</span> without activity. Press any key or move the mouse to stay unlocked.
        </div>
      ) : null}
      <TouchPrompt state={flow.state} onCancel={flow.cancel} onDismiss={flow.reset} onRetry={() => void unlock()} doneText="Session renewed." />
    </>
  );
}

export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
