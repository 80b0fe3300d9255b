import { useApp } from '../appContext';
import { unwrap, useTouchFlow } from '../useTouchFlow';
import { TouchPrompt } from '../components/TouchPrompt';
import type { SessionState } from '../../../electron/shared/desktopApi';
import { rememberKey } from '../localPrefs';

/** Unlock with one touch: shared by the locked screen and the end of enrollment. */
export function useUnlock(onUnlocked: (s: SessionState) => void) {
  const { desktop } = useApp();
  const flow = useTouchFlow();
  const unlock = async () => {
    const session = await flow.run(async (touch) => {
      touch.working('Asking the verifier…');
      const started = unwrap(await desktop.startUnlock());
      const assertion = await touch.get(started.options, started.expiresAt, 'Touch your security key to unlock', { summary: 'Unlock keylaunch' });
      return unwrap(await desktop.finishUnlock({ intentId: started.intentId, assertion }));
    });
    if (session) {
      rememberKey(session.user.name);
      onUnlocked(session);
    }
  };
  return { flow, unlock };
}

/** Locked: one clear action. */
export function Locked(props: { userName: string; reason?: string; onUnlocked: (s: SessionState) => void; onEnroll: () => void }) {
  const { flow, unlock } = useUnlock(props.onUnlocked);
  return (
    <main className="centered" aria-labelledby="locked-title">
      <h1 id="locked-title">keylaunch is locked</h1>
      {props.reason ? <p className="muted">{props.reason}</p> : null}
      <button type="button" className="primary big" onClick={() => void unlock()} autoFocus>
        Touch your security key to unlock
      </button>
      <p className="muted">Unlocking as {props.userName}.</p>
      <TouchPrompt state={flow.state} onCancel={flow.cancel} onDismiss={flow.reset} onRetry={() => void unlock()} doneText="Unlocked." />
      <p>
        No key enrolled yet?{' '}
        <button type="button" className="link" onClick={props.onEnroll}>
          I have an invite code
        </button>
      </p>
    </main>
  );
}
