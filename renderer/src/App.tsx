import { useCallback, useEffect, useState } from 'react';
import type { JobSummary } from '../../backend/core/queries';
import type { Run } from '../../backend/core/model';
import type { DesktopStatus, SessionState } from '../../electron/shared/desktopApi';
import { useApp } from './appContext';
import { Header, type Section } from './components/Header';
import { FirstRun } from './screens/FirstRun';
import { Enroll } from './screens/Enroll';
import { Locked } from './screens/Locked';
import { Jobs } from './screens/Jobs';
import { RunJob } from './screens/RunJob';
import { RunView } from './screens/RunView';
import { History } from './screens/History';
import { Keys, usableKeyCount } from './screens/Keys';
import { Admin } from './screens/Admin';
import { Waiting } from './screens/Waiting';
import { forgetKey, knowsKey, loadTheme, saveTheme, type Theme } from './localPrefs';
import { useActivity } from './activity';
import { useScreenFocus } from './screenFocus';
import { drafts } from './drafts';
import { myRequests } from './myRequests';
import { Palette, ShortcutsHelp } from './components/Palette';

/** Which screen is showing. The session lives in main; this only mirrors it. */
type Screen =
  | { name: 'jobs' }
  | { name: 'job'; job: JobSummary; from?: Run }
  | { name: 'result'; run: Run }
  | { name: 'history' }
  | { name: 'run'; run: Run }
  | { name: 'keys' }
  | { name: 'admin' }
  | { name: 'waiting'; focus?: string };

const LOCK_REASONS: Record<string, string> = {
  idle: 'Locked after 5 minutes without activity.',
  expired: 'Your session ended.',
  ended: 'Your session ended.',
  manual: '',
  system: 'Locked because the computer went to sleep or its screen locked.',
};

export function App() {
  const { desktop } = useApp();
  const [status, setStatus] = useState<DesktopStatus | undefined>();
  const [enrolling, setEnrolling] = useState<boolean | undefined>();
  const [lockReason, setLockReason] = useState<string | undefined>();
  const [screen, setScreen] = useState<Screen>({ name: 'jobs' });
  const [activeKeys, setActiveKeys] = useState<number | undefined>();
  const [theme, setTheme] = useState<Theme>(loadTheme);
  const [sheet, setSheet] = useState<'palette' | 'help' | undefined>();
  // Requests waiting for this person (issue 16 §3): counted by main's watcher; each of its reads bumps `watched`.
  const [waiting, setWaiting] = useState(0);
  const [watched, setWatched] = useState(0);

  const refresh = useCallback(async () => {
    const r = await desktop.status();
    if (r.ok) setStatus(r.value);
  }, [desktop]);

  useEffect(() => {
    void refresh();
    // The screen is kept: after unlocking, the person is back where they were (a form keeps its draft).
    return desktop.onLocked((reason) => {
      setLockReason((old) => LOCK_REASONS[reason] || old); // a manual lock keeps a reason already given
      void refresh();
    });
  }, [desktop, refresh]);

  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
    saveTheme(theme);
  }, [theme]);

  // A click on a "run ended" notification (main only sends this then): show that run.
  useEffect(
    () =>
      desktop.onShowRun((runId) => {
        void desktop.getRun({ runId }).then((r) => r.ok && setScreen({ name: 'run', run: r.value.run }));
      }),
    [desktop],
  );

  useEffect(
    () =>
      desktop.onWaiting((count) => {
        setWaiting(count);
        setWatched((n) => n + 1);
      }),
    [desktop],
  );
  // A click on a "waiting for you" notification: show that request.
  useEffect(() => desktop.onShowRequest((requestId) => setScreen({ name: 'waiting', focus: requestId })), [desktop]);

  /** "Run again": the run's job as it is now, its form filled from the run; a reason when it cannot be. */
  const runAgain = async (run: Run): Promise<string | undefined> => {
    const r = await desktop.listJobs();
    if (!r.ok) return r.error.message;
    const job = r.value.jobs.find((j) => j.name === run.job);
    if (!job) return `The job ${run.job} is no longer in the catalog, or you may not run it.`;
    if (!job.available) return `The job ${run.job} is unavailable: ${job.reason ?? 'its definition is invalid'}.`;
    setScreen({ name: 'job', job, from: run });
    return undefined;
  };

  // Every screen change is activity: pick up the pushed-back idle lock time.
  useEffect(() => {
    void refresh();
  }, [screen, refresh]);
  // Shortcuts (listed in the help sheet): never while another sheet (a touch) is open.
  const unlockedNow = Boolean(status?.session);
  useEffect(() => {
    if (!unlockedNow) return;
    const onKey = (e: KeyboardEvent) => {
      if (document.querySelector('dialog[open]')) return;
      const typing = e.target instanceof HTMLElement && e.target.closest('input, select, textarea') !== null;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 'k') (e.preventDefault(), setSheet('palette'));
      else if (mod && e.key.toLowerCase() === 'l') (e.preventDefault(), void desktop.lock().then(refresh));
      else if (e.key === '?' && !typing && !mod) (e.preventDefault(), setSheet('help'));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [unlockedNow, desktop, refresh]);
  // Input in the window is activity too (typing a long form must not lock the app).
  useActivity(Boolean(status?.session), (session) => setStatus((s) => (s ? { ...s, session } : s)));
  const userName = status?.config.state === 'ok' ? status.config.userName : undefined;
  // A person whose key this desktop never saw starts with enrollment, not with "touch your key".
  const showEnroll = enrolling ?? (userName !== undefined && !knowsKey(userName));
  const view = !status ? 'loading' : status.config.state !== 'ok' ? 'setup' : showEnroll && !status.session ? 'enroll' : !status.session ? 'locked' : screen.name === 'run' ? `run:${screen.run.id}` : screen.name === 'job' ? `job:${screen.job.name}` : screen.name;
  useScreenFocus(view, windowTitle(view, screen));

  if (!status) return <main className="centered" aria-busy="true">Loading…</main>;
  if (status.config.state !== 'ok') {
    return (
      <FirstRun
        config={status.config}
        onImport={async () => {
          const r = await desktop.importConfig();
          drafts.clear(); // another verifier or person: nothing typed for the last one carries over
          myRequests.clear();
          await refresh();
          return r;
        }}
      />
    );
  }
  const unlocked = (s: SessionState) => {
    setLockReason(undefined);
    setEnrolling(false);
    setStatus({ ...status, session: s });
    void desktop.listKeys().then((r) => r.ok && setActiveKeys(usableKeyCount(r.value.keys)));
  };
  if (showEnroll && !status.session) {
    return <Enroll notice={lockReason} onUnlocked={unlocked} onCancel={() => setEnrolling(false)} cancelLabel={enrolling ? 'Back' : 'I already have a key'} />;
  }
  if (!status.session) {
    return (
      <Locked
        userName={status.config.userName}
        reason={lockReason}
        onEnroll={() => setEnrolling(true)}
        onUnlocked={unlocked}
      />
    );
  }

  const section: Section = screen.name === 'history' || screen.name === 'run' ? 'history' : screen.name === 'keys' ? 'keys' : screen.name === 'admin' ? 'admin' : screen.name === 'waiting' ? 'waiting' : 'jobs';
  return (
    <div className="app">
      <Header
        session={status.session}
        section={section}
        waiting={waiting}
        onNavigate={(s) => setScreen({ name: s } as Screen)}
        onLock={() => void desktop.lock().then(refresh)}
        onRenewed={(s) => setStatus({ ...status, session: s })}
        onHelp={() => setSheet('help')}
        theme={theme}
        onTheme={() => setTheme((t) => (t === 'system' ? 'light' : t === 'light' ? 'dark' : 'system'))}
      />
      {sheet === 'palette' ? (
        <Palette
          me={status.session.user.name}
          onClose={() => setSheet(undefined)}
          onOpen={(job) => {
            setSheet(undefined);
            setScreen({ name: 'job', job });
          }}
        />
      ) : null}
      {sheet === 'help' ? <ShortcutsHelp onClose={() => setSheet(undefined)} /> : null}
      {screen.name === 'jobs' && <Jobs me={status.session.user.name} onOpen={(job) => setScreen({ name: 'job', job })} showBackupHint={activeKeys === 1} onKeys={() => setScreen({ name: 'keys' })} />}
      {screen.name === 'job' && <RunJob key={screen.from?.id ?? screen.job.name} job={screen.job} from={screen.from} onBack={() => setScreen({ name: 'jobs' })} onLaunched={(run) => setScreen({ name: 'result', run })} />}
      {screen.name === 'result' && <RunView key={screen.run.id} run={screen.run} backLabel="Jobs" onBack={() => setScreen({ name: 'jobs' })} onRunAgain={runAgain} />}
      {screen.name === 'waiting' && <Waiting focus={screen.focus} refreshed={watched} onCount={setWaiting} onOpenRun={(run) => setScreen({ name: 'run', run })} />}
      {screen.name === 'history' && <History me={status.session.user.name} onOpen={(run) => setScreen({ name: 'run', run })} onRunAgain={runAgain} />}
      {screen.name === 'run' && <RunView key={screen.run.id} run={screen.run} backLabel="History" onBack={() => setScreen({ name: 'history' })} onRunAgain={runAgain} />}
      {screen.name === 'keys' && (
        <Keys
          onKeysChanged={setActiveKeys}
          onNoKeyLeft={() => {
            forgetKey(status.session!.user.name);
            setEnrolling(true);
            setLockReason('You revoked your last key. To use keylaunch again, enroll a key with a new invite from your admin.');
            setScreen({ name: 'jobs' });
            void desktop.lock().then(refresh);
          }}
        />
      )}
      {screen.name === 'admin' && status.session.user.role === 'admin' && <Admin me={status.session.user.name} />}
    </div>
  );
}

const TITLES: Record<string, string> = { loading: 'Loading', setup: 'Set up', enroll: 'Enroll your key', locked: 'Locked', jobs: 'Jobs', history: 'History', keys: 'Keys', result: 'Run started', waiting: 'Waiting for you' };
/** The window title says where the person is (the taskbar and screen readers show it). */
function windowTitle(view: string, screen: Screen): string {
  const where = screen.name === 'job' && view.startsWith('job:') ? screen.job.title : screen.name === 'run' && view.startsWith('run:') ? `Run of ${screen.run.job}` : (TITLES[view] ?? 'keylaunch');
  return `${where} — keylaunch`;
}
