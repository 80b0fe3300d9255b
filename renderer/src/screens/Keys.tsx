import { useEffect, useState } from 'react';
import type { PublicKey } from '../../../backend/core/views';
import { useApp } from '../appContext';
import { unwrap, useTouchFlow } from '../useTouchFlow';
import { TouchPrompt } from '../components/TouchPrompt';
import { ErrorPanel } from '../components/ErrorPanel';

/** Keys that can still unlock and approve: neither revoked nor suspended. */
export const usableKeyCount = (keys: PublicKey[]) => keys.filter((k) => !k.revokedAt && !k.suspendedAt).length;

/** Your keys: add a backup (touch a key you have, then the new one), revoke one (a touch). */
export function Keys(props: { onKeysChanged: (count: number) => void; onNoKeyLeft: () => void }) {
  const { desktop } = useApp();
  const [keys, setKeys] = useState<PublicKey[] | undefined>();
  const [error, setError] = useState<{ code: string; message: string } | undefined>();
  const [label, setLabel] = useState('Backup key');
  const [confirmLast, setConfirmLast] = useState<string | undefined>();
  const flow = useTouchFlow();

  const load = async () => {
    const r = await desktop.listKeys();
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setKeys(r.value.keys);
    props.onKeysChanged(usableKeyCount(r.value.keys));
  };
  useEffect(() => {
    void load();
  }, []);

  const addBackup = async () => {
    const added = await flow.run(async (touch) => {
      touch.working('Preparing…');
      const started = unwrap(await desktop.startAddKey());
      // The new key first: the touch of a key you have then approves exactly that key (main shows which).
      const registration = await touch.create(started.registration, started.expiresAt, 'Insert and touch the new key');
      touch.working('Checking the new key…');
      const approval = unwrap(await desktop.approveNewKey({ intentId: started.intentId, registration, label: label.trim() || 'Backup key' }));
      // Many people have one free port: let them swap keys before the existing one is asked for.
      await touch.pause('New key registered. Now insert a key you already have (remove the new one if you need the port), then continue.', 'Continue with my key');
      const assertion = await touch.get(approval.approval, approval.expiresAt, 'Touch a key you already have to approve the new one', { summary: `Add the key “${approval.key.label}” to your account`, fingerprint: approval.fingerprint });
      return unwrap(await desktop.finishAddKey({ intentId: approval.intentId, assertion }));
    });
    if (added) await load();
  };

  const revoke = async (credentialId: string, allowLastKey: boolean) => {
    setConfirmLast(undefined);
    const revoked = await flow.run(async (touch) => {
      touch.working('Preparing…');
      const started = unwrap(await desktop.startRevokeKey({ credentialId, allowLastKey }));
      const assertion = await touch.get(started.approval, started.expiresAt, 'Touch one of your keys to revoke this one', { summary: `Revoke the key “${started.key.label}”`, fingerprint: started.fingerprint });
      return unwrap(await desktop.finishRevokeKey({ intentId: started.intentId, assertion }));
    });
    // The last key gone, no touch can unlock again: on to enrollment, not to "touch your key".
    if (revoked && allowLastKey) props.onNoKeyLeft();
    else if (revoked) await load();
    else if (!allowLastKey) setConfirmLast(credentialId);
  };

  const lastKeyRefused = flow.state.phase === 'failed' && flow.state.code === 'last_key' && confirmLast;
  const lastKeyLabel = keys?.find((k) => k.id === confirmLast)?.label ?? 'this key';
  const known = (keys ?? []).filter((k) => !k.revokedAt && !k.suspendedAt).map((k) => ({ id: k.id, label: k.label }));
  return (
    <main aria-labelledby="keys-title">
      <h1 id="keys-title">Your security keys</h1>
      {error ? <ErrorPanel code={error.code} message={error.message} onRetry={() => void load()} /> : null}
      <ul className="keys">
        {(keys ?? []).map((k) => (
          <li key={k.id} className="key">
            <span className="key-label">{k.label}</span>
            <span className="muted small">
              added {new Date(k.createdAt).toLocaleDateString()}
              {k.lastUsedAt ? `, last used ${new Date(k.lastUsedAt).toLocaleString()}` : ', not used yet'}
            </span>
            {k.revokedAt ? <span className="badge status-failed">revoked</span> : null}
            {k.suspendedAt ? <span className="badge status-failed">suspended</span> : null}
            {!k.revokedAt ? (
              <button type="button" className="secondary" onClick={() => void revoke(k.id, false)} aria-label={`Revoke ${k.label}`}>
                Revoke
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {lastKeyRefused ? (
        <div className="panel error" role="alert">
          <h2>Revoke “{lastKeyLabel}”, your last key?</h2>
          <p>It is your last usable key. Revoking it locks you out of keylaunch until an admin invites you again.</p>
          <div className="actions">
            <button type="button" className="secondary" onClick={() => (setConfirmLast(undefined), flow.reset())} autoFocus>
              Keep “{lastKeyLabel}”
            </button>
            <button type="button" className="danger" onClick={() => void revoke(confirmLast, true)}>
              Revoke “{lastKeyLabel}” anyway
            </button>
          </div>
        </div>
      ) : null}
      <section className="panel" aria-labelledby="add-title">
        <h2 id="add-title">Add a backup key</h2>
        <label htmlFor="backup-label">Name for the new key</label>
        <input id="backup-label" value={label} onChange={(e) => setLabel(e.target.value)} maxLength={64} />
        <button type="button" onClick={() => void addBackup()}>
          Add a backup key
        </button>
      </section>
      {lastKeyRefused ? null : <TouchPrompt state={flow.state} onCancel={flow.cancel} onResume={flow.resume} onDismiss={flow.reset} keys={known} doneText="Done." />}
    </main>
  );
}
