import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useApp } from '../appContext';
import { unwrap, useTouchFlow } from '../useTouchFlow';
import { TouchPrompt } from '../components/TouchPrompt';
import { useUnlock } from './Locked';
import { rememberKey } from '../localPrefs';
import type { SessionState } from '../../../electron/shared/desktopApi';

/**
 * Enrollment: invite code, a name for the key, one touch; then unlock with it straight away (one more
 * touch, on this screen). The first step for a person whose key this desktop has never seen.
 */
export function Enroll(props: { onUnlocked: (s: SessionState) => void; onCancel: () => void; cancelLabel: string; notice?: string }) {
  const { desktop } = useApp();
  const flow = useTouchFlow();
  const [code, setCode] = useState('');
  const [label, setLabel] = useState('My security key');
  const [enrolled, setEnrolled] = useState<string | undefined>();

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    const user = await flow.run(async (touch) => {
      touch.working('Checking the invite…');
      const started = unwrap(await desktop.startEnrollment({ inviteCode: code.trim() }));
      const registration = await touch.create(started.options, started.expiresAt, 'Touch your new security key');
      return unwrap(await desktop.finishEnrollment({ intentId: started.intentId, registration, label: label.trim() })).user;
    });
    if (user) {
      rememberKey(user.name);
      setEnrolled(user.name);
    }
  };
  const unlocking = useUnlock(props.onUnlocked);
  // "Unlock now" is the one next step: focused once the enrollment sheet is gone (it held the focus).
  const unlockNow = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!enrolled) return;
    const frame = requestAnimationFrame(() => unlockNow.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, [enrolled]);

  if (enrolled) {
    return (
      <main className="centered" aria-labelledby="enrolled-title">
        <h1 id="enrolled-title">Your key is enrolled</h1>
        <p>
          Welcome, <strong>{enrolled}</strong>. Next, unlock with it, then add a <strong>backup key</strong> under Keys: if you lose your only key,
          you are locked out until an admin invites you again.
        </p>
        <button type="button" className="primary big" onClick={() => void unlocking.unlock()} ref={unlockNow}>
          Unlock now
        </button>
        <TouchPrompt state={unlocking.flow.state} onCancel={unlocking.flow.cancel} onDismiss={unlocking.flow.reset} onRetry={() => void unlocking.unlock()} doneText="Unlocked." />
      </main>
    );
  }

  return (
    <main className="centered" aria-labelledby="enroll-title">
      <h1 id="enroll-title">Enroll your security key</h1>
      {props.notice ? <p className="panel hint">{props.notice}</p> : null}
      <p>Your admin gave you an invite code. Enter it, name your key, and touch the key when it blinks.</p>
      <form onSubmit={submit} className="form">
        <label htmlFor="invite">Invite code</label>
        <input id="invite" autoFocus value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" spellCheck={false} placeholder="KL-XXXX-XXXX-…" required />
        <label htmlFor="key-label">Name this key</label>
        <input id="key-label" value={label} onChange={(e) => setLabel(e.target.value)} maxLength={64} required />
        <div className="actions">
          <button type="submit" disabled={code.trim().length < 8 || label.trim() === ''}>
            Enroll
          </button>
          <button type="button" className="secondary" onClick={props.onCancel}>
            {props.cancelLabel}
          </button>
        </div>
      </form>
      <TouchPrompt state={flow.state} onCancel={flow.cancel} onDismiss={flow.reset} onRetry={() => void submit()} doneText="Enrolled." />
    </main>
  );
}
