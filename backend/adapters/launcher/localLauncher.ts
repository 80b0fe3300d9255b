import { spawn } from 'node:child_process';
import { KeylaunchError } from '../../core/errors';
import { fillPlaceholders } from '../../core/job';
import type { LaunchDetails } from '../../core/model';
import type { Launcher, LaunchRequest, LaunchResult } from '../../core/ports';

const OUTPUT_LIMIT = 64 * 1024;
const KILL_GRACE_MS = 2000;

/**
 * Local mode's launcher: runs the job's argv directly (no shell, so parameters cannot inject commands),
 * with a timeout, capturing the exit code and at most 64 KiB of each output stream.
 * It answers `running` as soon as the child has started (a confirmation must not wait for a long job:
 * the desktop's client would give up and the person could launch it twice, issue 12); the child stays
 * in this process and `ended` settles with the outcome when it exits or is killed.
 */
export function createLocalLauncher(options: { baseEnv?: NodeJS.ProcessEnv } = {}): Launcher {
  const baseEnv = options.baseEnv ?? pick(process.env, ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SystemRoot', 'USERPROFILE']);
  return {
    async launch(request: LaunchRequest): Promise<LaunchResult> {
      const job = request.job;
      if (job.type !== 'local') throw new KeylaunchError('launch_failed', `The local launcher cannot run ${job.type} jobs.`);
      const [command, ...args] = job.target.argv.map((a) => fillPlaceholders(a, request.params));
      const env: NodeJS.ProcessEnv = {
        ...baseEnv,
        ...job.target.env,
        KEYLAUNCH_JOB: job.name,
        KEYLAUNCH_RUN_ID: request.runId,
        KEYLAUNCH_REQUESTED_BY: request.requestedBy,
        KEYLAUNCH_PARAMS: JSON.stringify(request.params),
        ...Object.fromEntries(Object.entries(request.secrets).map(([k, v]) => [`KEYLAUNCH_SECRET_${k.toUpperCase()}`, String(v)])),
        ...(request.mfaCode ? { KEYLAUNCH_MFA_CODE: request.mfaCode } : {}),
      };
      return start(command!, args, { cwd: job.target.cwd, env, timeoutMs: job.target.timeoutSeconds * 1000 });
    },
  };
}

/** Resolves once the child has started (or rejects with `launch_failed` if it could not). */
function start(command: string, args: string[], o: { cwd: string | undefined; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<LaunchResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: o.cwd, env: o.env, shell: false, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const out = capture();
    const err = capture();
    child.stdout.on('data', out.add);
    child.stderr.on('data', err.add);
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    child.once('error', (error) => {
      // Only a child that never started errors here: after 'spawn', a failed kill is the one other source.
      if (child.pid !== undefined) return;
      reject(new KeylaunchError('launch_failed', `Could not start ${command}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`, { cause: error }));
    });
    child.once('spawn', () => {
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref();
      }, o.timeoutMs);
      const ended = new Promise<LaunchResult>((settle) => {
        child.once('close', (exitCode, signal) => {
          clearTimeout(timer);
          const summary = timedOut
            ? `timed out after ${o.timeoutMs / 1000} s`
            : exitCode === 0
              ? 'exited with code 0'
              : exitCode !== null
                ? `exited with code ${exitCode}`
                : `killed by ${signal}`;
          const details: LaunchDetails = {
            launcher: 'local',
            summary,
            exitCode,
            signal,
            stdout: out.text(),
            stderr: err.text(),
            truncated: out.truncated() || err.truncated(),
            durationMs: Date.now() - started,
          };
          settle({ status: exitCode === 0 && !timedOut ? 'succeeded' : 'failed', details });
        });
      });
      resolve({ status: 'running', details: { launcher: 'local', summary: `running (pid ${child.pid})`, pid: child.pid }, ended });
    });
  });
}

function capture() {
  const chunks: Buffer[] = [];
  let size = 0;
  let dropped = false;
  return {
    add: (chunk: Buffer) => {
      const room = OUTPUT_LIMIT - size;
      if (room <= 0) return void (dropped = true);
      if (chunk.length > room) dropped = true;
      chunks.push(chunk.subarray(0, room));
      size += Math.min(room, chunk.length);
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
    truncated: () => dropped,
  };
}

const pick = (env: NodeJS.ProcessEnv, names: string[]) => Object.fromEntries(names.filter((n) => env[n] !== undefined).map((n) => [n, env[n]]));
