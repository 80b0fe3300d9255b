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

/** Which screen is showing. The session lives in main; this only mirrors it. */
type Screen =
  | { name: 'jobs' }
  | { name: 'job'; job: JobSummary; from?: Run }
  | { name: 'result'; run: Run }
  | { name: 'history' }
  | { name: 'run'; run: Run }
  | { name: 'keys' }
  | { name: 'admin' };

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
  const [enrolling, setEnrolling] = useState(false);
  const [lockReason, setLockReason] = useState<string | undefined>();
  const [screen, setScreen] = useState<Screen>({ name: 'jobs' });
  const [activeKeys, setActiveKeys] = useState<number | undefined>();
  const [theme, setTheme] = useState<'system' | 'light' | 'dark'>('system');

  const refresh = useCallback(async () => {
    const r = await desktop.status();
    if (r.ok) setStatus(r.value);
  }, [desktop]);

  useEffect(() => {
    void refresh();
    return desktop.onLocked((reason) => {
      setLockReason(LOCK_REASONS[reason] ?? '');
      setScreen({ name: 'jobs' });
      void refresh();
    });
  }, [desktop, refresh]);

  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);

  // A click on a "run ended" notification (main only sends this then): show that run.
  useEffect(
    () =>
      desktop.onShowRun((runId) => {
        void desktop.getRun({ runId }).then((r) => r.ok && setScreen({ name: 'run', run: r.value.run }));
      }),
    [desktop],
  );

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

  if (!status) return <main className="centered" aria-busy="true">Loading…</main>;
  if (status.config.state !== 'ok') {
    return (
      <FirstRun
        config={status.config}
        onImport={async () => {
          const r = await desktop.importConfig();
          await refresh();
          return r;
        }}
      />
    );
  }
  if (enrolling) return <Enroll onDone={() => setEnrolling(false)} onCancel={() => setEnrolling(false)} />;
  if (!status.session) {
    return (
      <Locked
        userName={status.config.userName}
        reason={lockReason}
        onEnroll={() => setEnrolling(true)}
        onUnlocked={(s: SessionState) => {
          setLockReason(undefined);
          setStatus({ ...status, session: s });
          setScreen({ name: 'jobs' });
          void desktop.listKeys().then((r) => r.ok && setActiveKeys(usableKeyCount(r.value.keys)));
        }}
      />
    );
  }

  const section: Section = screen.name === 'history' || screen.name === 'run' ? 'history' : screen.name === 'keys' ? 'keys' : screen.name === 'admin' ? 'admin' : 'jobs';
  return (
    <div className="app">
      <Header
        session={status.session}
        section={section}
        onNavigate={(s) => setScreen({ name: s } as Screen)}
        onLock={() => void desktop.lock().then(refresh)}
        theme={theme}
        onTheme={() => setTheme((t) => (t === 'system' ? 'light' : t === 'light' ? 'dark' : 'system'))}
      />
      {screen.name === 'jobs' && <Jobs onOpen={(job) => setScreen({ name: 'job', job })} showBackupHint={activeKeys === 1} onKeys={() => setScreen({ name: 'keys' })} />}
      {screen.name === 'job' && <RunJob key={screen.from?.id ?? screen.job.name} job={screen.job} from={screen.from} onBack={() => setScreen({ name: 'jobs' })} onLaunched={(run) => setScreen({ name: 'result', run })} />}
      {screen.name === 'result' && <RunView key={screen.run.id} run={screen.run} backLabel="Jobs" onBack={() => setScreen({ name: 'jobs' })} onRunAgain={runAgain} />}
      {screen.name === 'history' && <History onOpen={(run) => setScreen({ name: 'run', run })} onRunAgain={runAgain} />}
      {screen.name === 'run' && <RunView key={screen.run.id} run={screen.run} backLabel="History" onBack={() => setScreen({ name: 'history' })} onRunAgain={runAgain} />}
      {screen.name === 'keys' && <Keys onKeysChanged={setActiveKeys} />}
      {screen.name === 'admin' && status.session.user.role === 'admin' && <Admin me={status.session.user.name} />}
    </div>
  );
}
