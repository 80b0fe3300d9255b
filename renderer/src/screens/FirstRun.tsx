import type { ConfigState } from '../../../electron/shared/desktopApi';

/** No usable config yet: import the file an admin (or `npm run deploy`) made, or use local mode. */
export function FirstRun(props: { config: ConfigState; onImport: () => void }) {
  return (
    <main className="centered" aria-labelledby="first-run-title">
      <h1 id="first-run-title">Set up keylaunch</h1>
      {props.config.state === 'invalid' ? (
        <div className="panel error" role="alert">
          <h3>The desktop config is not valid</h3>
          <p>{props.config.reason}</p>
        </div>
      ) : (
        <p>keylaunch needs to know which verifier to trust. Your admin gives you a config file for it.</p>
      )}
      <button type="button" onClick={props.onImport}>
        Import config file…
      </button>
      <p className="muted">
        To try keylaunch on this machine without AWS, run <code>npm start</code> in the project: it starts a local verifier and
        opens this app already set up.
      </p>
    </main>
  );
}
