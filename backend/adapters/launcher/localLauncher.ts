import { spawn } from 'node:child_process';
import { KeylaunchError } from '../../core/errors';
import { fillPlaceholders } from '../../core/job';
import type { LaunchDetails } from '../../core/model';
import type { Launcher, LaunchRequest } from '../../core/ports';

const OUTPUT_LIMIT = 64 * 1024;
const KILL_GRACE_MS = 2000;

/**
 * Local mode's launcher: runs the job's argv directly (no shell, so parameters cannot inject commands),
 * with a timeout, capturing the exit code and at most 64 KiB of each output stream into the run.
 * It waits for the job to end: local jobs are short, and the run record then holds the whole outcome.
 */
export function createLocalLauncher(options: { baseEnv?: NodeJS.ProcessEnv } = {}): Launcher {
  const baseEnv = options.baseEnv ?? pick(process.env, ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SystemRoot', 'USERPROFILE']);
  return {
    async launch(request: LaunchRequest) {
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
      const details = await run(command!, args, { cwd: job.target.cwd, env, timeoutMs: job.target.timeoutSeconds * 1000 });
      return { status: details.exitCode === 0 ? 'succeeded' : 'failed', details };
    },
  };
}

function run(command: string, args: string[], o: { cwd: string | undefined; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<LaunchDetails> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: o.cwd, env: o.env, shell: false, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const out = capture();
    const err = capture();
    child.stdout.on('data', out.add);
    child.stderr.on('data', err.add);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref();
    }, o.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new KeylaunchError('launch_failed', `Could not start ${command}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`, { cause: error }));
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const summary = timedOut
        ? `timed out after ${o.timeoutMs / 1000} s`
        : exitCode === 0
          ? 'exited with code 0'
          : exitCode !== null
            ? `exited with code ${exitCode}`
            : `killed by ${signal}`;
      resolve({
        launcher: 'local',
        summary,
        exitCode,
        signal,
        stdout: out.text(),
        stderr: err.text(),
        truncated: out.truncated() || err.truncated(),
        durationMs: Date.now() - started,
      });
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
