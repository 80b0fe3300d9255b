import { useEffect, useState } from 'react';
import type { SessionState } from '../../../electron/shared/desktopApi';
import { SessionEnd, clock } from './SessionEnd';

export type Section = 'jobs' | 'waiting' | 'history' | 'keys' | 'admin';

const SECTION_NAMES: Record<Section, string> = { jobs: 'Jobs', waiting: 'Waiting for you', history: 'History', keys: 'Keys', admin: 'Admin' };

/** Who is unlocked, when the app will lock itself, where to go, and the lock button. */
export function Header(props: { session: SessionState; section: Section; waiting?: number; onNavigate: (s: Section) => void; onLock: () => void; onRenewed: (s: SessionState) => void; onHelp: () => void; theme: string; onTheme: () => void }) {
  const now = useNow();
  const lockIn = clock(props.session.idleLockAt - now);
  return (
    <>
    <header className="header">
      <span className="brand">keylaunch</span>
      <nav aria-label="Main">
        {/* Admin only for admins: the verifier refuses everyone else anyway. */}
        {(['jobs', 'waiting', 'history', 'keys', ...(props.session.user.role === 'admin' ? (['admin'] as const) : [])] as const).map((s) => (
          <button key={s} type="button" className={`nav${props.section === s ? ' current' : ''}`} aria-current={props.section === s ? 'page' : undefined} onClick={() => props.onNavigate(s)}>
            {SECTION_NAMES[s]}
            {/* Requests waiting for this person's decision (main's watcher counts them, issue 16 §3). */}
            {s === 'waiting' && props.waiting ? (
              <>
                <span className="count" aria-hidden="true">
                  {props.waiting}
                </span>
                <span className="visually-hidden"> ({props.waiting} waiting)</span>
              </>
            ) : null}
          </button>
        ))}
      </nav>
      <span className="session muted small" title="keylaunch locks itself after 5 idle minutes">
        {props.session.user.name} ({props.session.user.role}) · locks in <span className="countdown">{lockIn}</span>
      </span>
      <button type="button" className="secondary" onClick={props.onTheme} aria-label={`Theme: ${props.theme}. Switch theme`}>
        {props.theme === 'dark' ? '☾' : props.theme === 'light' ? '☀' : '◐'}
      </button>
      <button type="button" className="secondary" onClick={props.onHelp} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
        ?
      </button>
      <button type="button" onClick={props.onLock}>
        Lock
      </button>
    </header>
    <SessionEnd session={props.session} now={now} onRenewed={props.onRenewed} />
    </>
  );
}

function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}
