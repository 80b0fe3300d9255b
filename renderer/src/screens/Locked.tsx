import { useApp } from '../appContext';
import { isBusy, unwrap, useTouchFlow } from '../useTouchFlow';
import { TouchPrompt } from '../components/TouchPrompt';
import type { SessionState } from '../../../electron/shared/desktopApi';

/** Locked: one clear action. */
export function Locked(props: { userName: string; reason?: string; onUnlocked: (s: SessionState) => void; onEnroll: () => void }) {
  const { desktop } = useApp();
  const flow = useTouchFlow();
  const unlock = async () => {
    const session = await flow.run(async (touch) => {
      touch.working('Asking the verifier…');
      const started = unwrap(await desktop.startUnlock());
      const assertion = await touch.get(started.options, started.expiresAt, 'Touch your security key to unlock');
      return unwrap(await desktop.finishUnlock({ intentId: started.intentId, assertion }));
    });
    if (session) props.onUnlocked(session);
  };
  const busy = isBusy(flow.state);
  return (
    <main className="centered" aria-labelledby="locked-title">
      <h1 id="locked-title">keylaunch is locked</h1>
      {props.reason ? <p className="muted">{props.reason}</p> : null}
      <button type="button" className="primary big" onClick={() => void unlock()} disabled={busy} autoFocus>
        Touch your security key to unlock
      </button>
      <p className="muted">Signed in as {props.userName}.</p>
      <TouchPrompt state={flow.state} onCancel={flow.cancel} onRetry={() => void unlock()} doneText="Unlocked." />
      <p>
        <button type="button" className="link" onClick={props.onEnroll} disabled={busy}>
          I have an invite code
        </button>
      </p>
    </main>
  );
}
