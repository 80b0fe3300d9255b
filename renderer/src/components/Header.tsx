import { useEffect, useState } from 'react';
import type { SessionState } from '../../../electron/shared/desktopApi';

export type Section = 'jobs' | 'history' | 'keys';

/** Who is unlocked, when the app will lock itself, where to go, and the lock button. */
export function Header(props: { session: SessionState; section: Section; onNavigate: (s: Section) => void; onLock: () => void; theme: string; onTheme: () => void }) {
  const lockIn = useCountdown(props.session.idleLockAt);
  return (
    <header className="header">
      <span className="brand">keylaunch</span>
      <nav aria-label="Main">
        {(['jobs', 'history', 'keys'] as const).map((s) => (
          <button key={s} type="button" className={`nav${props.section === s ? ' current' : ''}`} aria-current={props.section === s ? 'page' : undefined} onClick={() => props.onNavigate(s)}>
            {s === 'jobs' ? 'Jobs' : s === 'history' ? 'History' : 'Keys'}
          </button>
        ))}
      </nav>
      <span className="session muted small" title="keylaunch locks itself after 5 idle minutes">
        {props.session.user.name} ({props.session.user.role}) · locks in <span className="countdown">{lockIn}</span>
      </span>
      <button type="button" className="secondary" onClick={props.onTheme} aria-label={`Theme: ${props.theme}. Switch theme`}>
        {props.theme === 'dark' ? '☾' : props.theme === 'light' ? '☀' : '◐'}
      </button>
      <button type="button" onClick={props.onLock}>
        Lock
      </button>
    </header>
  );
}

function useCountdown(at: number): string {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const s = Math.max(0, Math.round((at - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
