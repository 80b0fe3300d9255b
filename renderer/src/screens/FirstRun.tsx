import { useState } from 'react';
import type { ConfigState, DesktopResult, DesktopStatus } from '../../../electron/shared/desktopApi';
import { ErrorPanel } from '../components/ErrorPanel';

/**
 * No usable config yet: import the file an admin (or `npm run deploy`) made, or use local mode. An import
 * main refuses (a build with its own profile, a start with --keylaunch-config) says why, never nothing.
 */
export function FirstRun(props: { config: ConfigState; onImport: () => Promise<DesktopResult<DesktopStatus>> }) {
  const [refused, setRefused] = useState<{ code: string; message: string } | undefined>();
  const importFile = async () => {
    const r = await props.onImport();
    setRefused(r.ok ? undefined : r.error);
  };
  return (
    <main className="centered" aria-labelledby="first-run-title">
      <h1 id="first-run-title">Set up keylaunch</h1>
      {props.config.state === 'invalid' ? (
        <div className="panel error" role="alert">
          <h2>The desktop config is not valid</h2>
          <p>{props.config.reason}</p>
        </div>
      ) : (
        <p>keylaunch needs to know which verifier to trust. Your admin gives you a config file for it.</p>
      )}
      <button type="button" onClick={() => void importFile()}>
        Import config file…
      </button>
      {refused ? <ErrorPanel code={refused.code} message={refused.message} /> : null}
    </main>
  );
}
