import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/** Starts the built desktop app against local mode's config; the verifier keeps running if it cannot. */
export function spawnDesktopApp(configFile: string): void {
  let electronPath: string;
  try {
    electronPath = createRequire(import.meta.url)('electron') as string;
  } catch (e) {
    console.log(`The Electron binary is not available here (${(e as Error).message.split('\n')[0]}).`);
    return;
  }
  const child = spawn(electronPath, ['.', `--keylaunch-config=${configFile}`], { stdio: 'inherit' });
  child.on('error', (e) => console.log(`Could not start the desktop app: ${e.message}`));
}
