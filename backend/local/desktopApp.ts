import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const DOWNLOAD_BOUND_MS = 5 * 60_000;

/**
 * Starts the built desktop app against local mode's config; the verifier keeps running if it cannot.
 * The Electron binary is fetched on first use (npm does not run its install script). We look for it
 * without `require('electron')`, which would run that download with its output and stack on our
 * terminal, and run the download ourselves so a failure reads as one line with a next step.
 */
export async function spawnDesktopApp(configFile: string, say: (line: string) => void): Promise<void> {
  let electronPath = findElectron();
  if (!electronPath) {
    say('Downloading Electron for the desktop app (first start only)…');
    const failure = await downloadElectron();
    electronPath = findElectron();
    if (failure || !electronPath) {
      say(
        `The desktop app cannot start: Electron could not be downloaded (${failure ?? 'no binary after the download'}). ` +
          'The verifier keeps running. Check your network or proxy and restart `npm start`, or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron.',
      );
      return;
    }
  }
  const child = spawn(electronPath, ['.', `--keylaunch-config=${configFile}`], { stdio: 'inherit' });
  child.on('error', (e) => say(`The desktop app could not start (${e.message}). The verifier keeps running.`));
}

function electronPackageDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

/** Where electron's own index.js would look, without its side effects. */
function findElectron(): string | undefined {
  const dir = electronPackageDir();
  if (!dir) return undefined;
  const pathFile = join(dir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) return join(override, executable || 'electron');
  const full = executable ? join(dir, 'dist', executable) : undefined;
  return full && existsSync(full) ? full : undefined;
}

/** Runs electron's installer with its output captured; returns why it failed, in one line, or nothing. */
function downloadElectron(): Promise<string | undefined> {
  const dir = electronPackageDir();
  if (!dir) return Promise.resolve('the electron package is not installed: run npm install');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(dir, 'install.js')], { stdio: ['ignore', 'pipe', 'pipe'], timeout: DOWNLOAD_BOUND_MS });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (e) => resolve(e.message));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(undefined);
      const reason = /getaddrinfo \w+ [\w.-]+|E[A-Z_]{4,} [\w.:-]+|fetch failed|HTTPError[^\n]*/.exec(output)?.[0];
      resolve(reason ?? (signal ? `stopped after ${DOWNLOAD_BOUND_MS / 60_000} minutes` : output.trim().split('\n')[0] || `exit ${code}`));
    });
  });
}
