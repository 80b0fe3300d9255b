import { useEffect, useState } from 'react';
import type { SessionState } from '../../../electron/shared/desktopApi';

export type Section = 'jobs' | 'history' | 'keys' | 'admin';

const SECTION_NAMES: Record<Section, string> = { jobs: 'Jobs', history: 'History', keys: 'Keys', admin: 'Admin' };

/** Who is unlocked, when the app will lock itself, where to go, and the lock button. */
export function Header(props: { session: SessionState; section: Section; onNavigate: (s: Section) => void; onLock: () => void; theme: string; onTheme: () => void }) {
  const lockIn = useCountdown(props.session.idleLockAt);
  return (
    <header className="header">
      <span className="brand">keylaunch</span>
      <nav aria-label="Main">
        {/* Admin only for admins: the verifier refuses everyone else anyway. */}
        {(['jobs', 'history', 'keys', ...(props.session.user.role === 'admin' ? (['admin'] as const) : [])] as const).map((s) => (
          <button key={s} type="button" className={`nav${props.section === s ? ' current' : ''}`} aria-current={props.section === s ? 'page' : undefined} onClick={() => props.onNavigate(s)}>
            {SECTION_NAMES[s]}
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
