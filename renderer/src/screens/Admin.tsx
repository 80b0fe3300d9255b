import { useEffect, useRef, useState } from 'react';
import type { AdminPerson, AdminResult, PendingInvite } from '../../../backend/core/admin';
import type { AdminRequest } from '../../../backend/core/adminActions';
import type { AdminGrant } from '../../../backend/core/model';
import { useApp } from '../appContext';
import { isBusy, unwrap, useTouchFlow } from '../useTouchFlow';
import { TouchPrompt } from '../components/TouchPrompt';
import { ErrorPanel } from '../components/ErrorPanel';
import { AuditLog } from '../components/AuditLog';

/** "sre, db" → ["sre", "db"]: the verifier validates the names and says which one is wrong. */
export const parseGroups = (text: string) => text.split(',').map((g) => g.trim()).filter((g) => g !== '');

const when = (ms: number) => new Date(ms).toLocaleString();

/**
 * Administration (admins only; issue 15 §4): people, their keys, pending invites and admin grants.
 * Every change is one admin intent: main shows what it does, then the admin's touch approves it.
 */
export function Admin(props: { me: string }) {
  const { desktop } = useApp();
  const [directory, setDirectory] = useState<{ people: AdminPerson[]; invites: PendingInvite[]; grants: AdminGrant[] } | undefined>();
  const [error, setError] = useState<{ code: string; message: string } | undefined>();
  const [outcome, setOutcome] = useState<string | undefined>();
  // The code of the invite just made: held only in this screen's state, gone when the screen closes.
  const [code, setCode] = useState<{ userName: string; code: string; expiresAt: number } | undefined>();
  const flow = useTouchFlow();
  const busy = isBusy(flow.state);

  const load = async () => {
    const r = await desktop.listPeople();
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setDirectory(r.value);
  };
  useEffect(() => {
    void load();
  }, []);

  const perform = async (action: AdminRequest) => {
    setOutcome(undefined);
    setCode(undefined);
    const result = await flow.run(async (touch): Promise<AdminResult> => {
      touch.working('Preparing…');
      const started = unwrap(await desktop.startAdminAction({ action }));
      const assertion = await touch.get(started.options, started.expiresAt, `Touch your key to approve: ${started.review.title}`);
      return unwrap(await desktop.finishAdminAction({ intentId: started.intentId, assertion }));
    });
    if (!result) return;
    if (result.kind === 'invite') setCode({ userName: result.invite.userName, code: result.invite.code, expiresAt: result.invite.expiresAt });
    if (result.kind === 'grant_pending') setOutcome(`Asked: another admin must approve making ${result.grant.userName} an admin (until ${when(result.grant.expiresAt)}).`);
    if (result.kind === 'cancel_invite') setOutcome(`Canceled ${result.canceled} invite${result.canceled === 1 ? '' : 's'}.`);
    await load();
  };

  return (
    <main aria-labelledby="admin-title">
      <h1 id="admin-title">Administration</h1>
      {error ? <ErrorPanel code={error.code} message={error.message} onRetry={() => void load()} /> : null}
      {code ? <InviteCode {...code} onDone={() => setCode(undefined)} /> : null}
      {outcome ? (
        <p className="panel" role="status">
          {outcome}
        </p>
      ) : null}
      <InviteForm busy={busy} onInvite={(a) => void perform(a)} />
      {directory?.grants.length ? (
        <section className="panel" aria-labelledby="grants-title">
          <h2 id="grants-title">Waiting for a second admin</h2>
          <ul className="keys">
            {directory.grants.map((g) => (
              <li key={g.id} className="key">
                <span className="key-label">Make {g.userName} an admin</span>
                <span className="muted small">asked by {g.requestedByName}, until {when(g.expiresAt)}</span>
                {g.requestedByName !== props.me ? (
                  <button type="button" disabled={busy} onClick={() => void perform({ kind: 'approve_grant', grantId: g.id })}>
                    Approve
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="invites-title">
        <h2 id="invites-title">Pending invites</h2>
        {directory && directory.invites.length === 0 ? <p className="muted">None.</p> : null}
        <ul className="keys">
          {(directory?.invites ?? []).map((i) => (
            <li key={`${i.userName}-${i.createdAt}`} className="key">
              <span className="key-label">{i.userName}</span>
              <span className="muted small">
                {i.role}
                {i.groups.length ? `, groups ${i.groups.join(', ')}` : ''} · by {i.createdBy} · expires {when(i.expiresAt)}
              </span>
              <button type="button" className="secondary" disabled={busy} onClick={() => void perform({ kind: 'cancel_invite', userName: i.userName })} aria-label={`Cancel invite of ${i.userName}`}>
                Cancel invite
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="people-title">
        <h2 id="people-title">People</h2>
        <ul className="people">
          {(directory?.people ?? []).map((p) => (
            <PersonRow key={p.id} person={p} self={p.name === props.me} busy={busy} onAction={(a) => void perform(a)} />
          ))}
        </ul>
      </section>
      <AuditLog />
      <TouchPrompt state={flow.state} onCancel={flow.cancel} doneText="Done." />
    </main>
  );
}

function InviteForm(props: { busy: boolean; onInvite: (a: AdminRequest) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<'operator' | 'admin'>('operator');
  const [groups, setGroups] = useState('');
  return (
    <section className="panel" aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      <label htmlFor="invite-name">User name</label>
      <input id="invite-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={64} disabled={props.busy} autoComplete="off" />
      <label htmlFor="invite-role">Role</label>
      <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value === 'admin' ? 'admin' : 'operator')} disabled={props.busy}>
        <option value="operator">operator</option>
        <option value="admin">admin</option>
      </select>
      <label htmlFor="invite-groups">Groups (comma-separated, optional)</label>
      <input id="invite-groups" value={groups} onChange={(e) => setGroups(e.target.value)} disabled={props.busy} autoComplete="off" />
      <button type="button" disabled={props.busy || name.trim() === ''} onClick={() => props.onInvite({ kind: 'invite', userName: name.trim(), role, groups: parseGroups(groups), ttlHours: 24 })}>
        Invite
      </button>
    </section>
  );
}

/** The code, once: copy it (or select it) and hand it over privately. It cannot be shown again. */
function InviteCode(props: { userName: string; code: string; expiresAt: number; onDone: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = () => {
    field.current?.select();
    // The app's session denies the async clipboard permission; a copy of the selection needs none.
    setCopied(document.execCommand('copy'));
  };
  return (
    <section className="panel review" aria-labelledby="code-title">
      <h2 id="code-title">Invite code for {props.userName}</h2>
      <p>Shown only now, valid once until {when(props.expiresAt)}. Hand it over privately.</p>
      <input ref={field} aria-label="Invite code" readOnly value={props.code} onFocus={(e) => e.target.select()} className="code" />
      <button type="button" onClick={copy}>
        {copied ? 'Copied' : 'Copy'}
      </button>
      <button type="button" className="secondary" onClick={props.onDone}>
        I have handed it over
      </button>
    </section>
  );
}

function PersonRow(props: { person: AdminPerson; self: boolean; busy: boolean; onAction: (a: AdminRequest) => void }) {
  const { person: p, busy } = props;
  const [groups, setGroups] = useState(p.groups.join(', '));
  return (
    <li className="panel person" aria-label={p.name}>
      <h3>
        {p.name} <span className="badge">{p.role}</span> {p.disabled ? <span className="badge status-failed">disabled</span> : null}
      </h3>
      <ul className="keys">
        {p.keys.map((k) => (
          <li key={k.id} className="key">
            <span className="key-label">{k.label}</span>
            {k.revokedAt ? <span className="badge status-failed">revoked</span> : k.suspendedAt ? <span className="badge status-failed">suspended</span> : <span className="badge">active</span>}
            {!k.revokedAt && !props.self ? (
              <button type="button" className="secondary" disabled={busy} onClick={() => props.onAction({ kind: 'revoke_key', userName: p.name, credentialId: k.id })} aria-label={`Revoke ${p.name}’s key ${k.label}`}>
                Revoke
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <label htmlFor={`groups-${p.id}`}>Groups</label>
      <input id={`groups-${p.id}`} value={groups} onChange={(e) => setGroups(e.target.value)} disabled={busy} autoComplete="off" />
      <button type="button" className="secondary" disabled={busy} onClick={() => props.onAction({ kind: 'set_groups', userName: p.name, groups: parseGroups(groups) })} aria-label={`Save groups of ${p.name}`}>
        Save groups
      </button>
      {props.self ? null : (
        <>
          <button type="button" className="secondary" disabled={busy} onClick={() => props.onAction({ kind: 'set_role', userName: p.name, role: p.role === 'admin' ? 'operator' : 'admin' })}>
            {p.role === 'admin' ? `Make ${p.name} an operator` : `Make ${p.name} an admin`}
          </button>
          <button type="button" className={p.disabled ? 'secondary' : 'danger'} disabled={busy} onClick={() => props.onAction({ kind: p.disabled ? 'enable' : 'disable', userName: p.name })}>
            {p.disabled ? `Enable ${p.name}` : `Disable ${p.name}`}
          </button>
        </>
      )}
    </li>
  );
}
