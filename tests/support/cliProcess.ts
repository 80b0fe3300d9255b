import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Runs a keylaunch command as a person types it (`npx tsx <entry> …`, through node_modules/.bin/tsx to
 * skip npx's own start-up) with a clean environment: no AWS settings or profile, its own HOME and data
 * folder. Every wait is bounded.
 */
export const REPO = resolve(import.meta.dirname, '../..');
const TSX = join(REPO, 'node_modules/.bin/tsx');
const BOUND_MS = 60_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|KEYLAUNCH_)/.test(k)) env[k] = v;
  const home = mkdtempSync(join(tmpdir(), 'kl-home-'));
  return { ...env, HOME: home, KEYLAUNCH_DATA: join(home, '.keylaunch'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

export function spawnCli(entry: string, args: string[], env: NodeJS.ProcessEnv = cleanEnv(), cwd = REPO): ChildProcess {
  return spawn(TSX, [join(REPO, entry), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function runCommand(entry: string, args: string[], env?: NodeJS.ProcessEnv, cwd?: string): Promise<CliResult> {
  return collect(spawnCli(entry, args, env, cwd));
}

export function collect(child: ChildProcess, boundMs = BOUND_MS): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within ${boundMs} ms; stdout: ${stdout}\nstderr: ${stderr}`));
    }, boundMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Waits until the running command has printed `line` on stdout; returns what it printed so far. */
export function waitForOutput(child: ChildProcess, text: string, boundMs = BOUND_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`"${text}" not printed within ${boundMs} ms: ${out}`)), boundMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(out);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => reject(new Error(`exited before printing "${text}": ${out}`)));
  });
}

/** A stack frame, or Node's own "Error: …" / "node:internal" dump, anywhere in what a person reads. */
export const STACK = /^\s+at\s|node:internal|^\w*Error:|\[cause\]/m;
