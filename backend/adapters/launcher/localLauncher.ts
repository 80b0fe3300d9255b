import { spawn, type ChildProcess } from 'node:child_process';
import { KeylaunchError } from '../../core/errors';
import { fillPlaceholders } from '../../core/job';
import { redactSecrets } from '../../core/redact';
import type { LaunchDetails, ParamValue } from '../../core/model';
import type { CancelRequest, Launcher, LaunchRequest, LaunchResult, OutputPage, OutputRequest } from '../../core/ports';
import { OutputBuffer, pageOf, type OutputBounds, type RecordedOutput } from './outputBuffer';

const STREAM_LIMIT = 64 * 1024;
/**
 * What a running child's output may hold in memory, and what its run record keeps once it ended: with
 * both 64 KiB streams, at most 3 bytes a character and the lines' own fields, a record stays far below
 * DynamoDB's 400 KB item limit.
 */
const LIVE: OutputBounds = { maxLines: 2000, maxChars: 256 * 1024 };
const RECORDED: OutputBounds = { maxLines: 1000, maxChars: 32 * 1024 };
/** Ended children whose output stays served from memory until their run record says they ended. */
const KEEP_ENDED = 16;
/** After the job's own process exits, how long its output pipes may stay open (a grandchild holding them). */
const DRAIN_MS = 2000;
const NOTHING_KEPT: RecordedOutput = { lines: [], next: Number.MAX_SAFE_INTEGER };

/**
 * Children still running in this process. Each leads a process group of its own, so the terminal's
 * Ctrl+C no longer reaches them: when the verifier exits, they get the SIGTERM it would have sent
 * (their runs are marked lost at the next start).
 */
const running = new Set<number>();
let stopAtExit = false;
function track(pid: number) {
  running.add(pid);
  if (stopAtExit) return;
  stopAtExit = true;
  process.once('exit', () => {
    for (const p of running) {
      try {
        process.kill(-p, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
}

export interface LocalLauncherOptions {
  baseEnv?: NodeJS.ProcessEnv;
  /** SIGTERM, then SIGKILL this long after, for a timeout or a cancel. */
  killGraceMs?: number;
}

interface Child {
  process: ChildProcess;
  output: OutputBuffer;
  ended: boolean;
  cancelled: boolean;
  stop: (reason: 'timeout' | 'cancel') => void;
}

/**
 * Local mode's launcher: runs the job's argv directly (no shell, so parameters cannot inject commands),
 * with a timeout, in a process group of its own (a stop reaches what the job started too).
 * It answers `running` as soon as the child has started (a confirmation must not wait for a long job:
 * the desktop's client would give up and the person could launch it twice, issue 12); the child stays
 * in this process and `ended` settles with the outcome when it exits or is killed. Its output is served
 * by `output` while it runs (and a while after), then from the tail the run record keeps.
 */
export function createLocalLauncher(options: LocalLauncherOptions = {}): Launcher {
  const baseEnv = options.baseEnv ?? pick(process.env, ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SystemRoot', 'USERPROFILE']);
  const killGraceMs = options.killGraceMs ?? 10_000;
  const children = new Map<string, Child>();
  const retire = () => {
    const ended = [...children].filter(([, c]) => c.ended);
    for (const [runId] of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) children.delete(runId);
  };
  return {
    async launch(request: LaunchRequest): Promise<LaunchResult> {
      const job = request.job;
      if (job.type !== 'local') throw new KeylaunchError('launch_failed', `The local launcher cannot run ${job.type} jobs.`);
      const [command, ...args] = job.target.argv.map((a) => fillPlaceholders(a, request.params));
      const secrets: Record<string, ParamValue> = { ...request.secrets, ...(request.mfaCode ? { mfaCode: request.mfaCode } : {}) };
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
      const result = await start(command!, args, { cwd: job.target.cwd, env, timeoutMs: job.target.timeoutSeconds * 1000, killGraceMs, secrets }, (child) => {
        children.set(request.runId, child);
      });
      void result.ended!.then(retire);
      return result;
    },

    async output(details: LaunchDetails, request: OutputRequest): Promise<OutputPage> {
      const child = children.get(request.runId);
      if (child) return child.output.page(request.cursor, request.limit, child.ended);
      // Gone from this process (ended long ago, or before a restart): what the run record kept.
      // A run that kept none (lost at a restart) is done, and says lines were dropped: all of them.
      const recorded = details.output as RecordedOutput | undefined;
      return pageOf(recorded ?? NOTHING_KEPT, request.cursor, request.limit, true);
    },

    async cancel(_details: LaunchDetails, request: CancelRequest): Promise<void> {
      const child = children.get(request.runId);
      if (!child || child.ended) throw new KeylaunchError('run_not_running', 'This run has already ended.');
      child.stop('cancel');
    },
  };
}

interface StartOptions {
  cwd: string | undefined;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  killGraceMs: number;
  secrets: Record<string, ParamValue>;
}

/** Resolves once the child has started (or rejects with `launch_failed` if it could not). */
function start(command: string, args: string[], o: StartOptions, register: (child: Child) => void): Promise<LaunchResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    // detached: the child leads a process group of its own, so a stop reaches its children as well.
    const proc = spawn(command, args, { cwd: o.cwd, env: o.env, shell: false, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, detached: true });
    const margin = Math.max(0, ...Object.values(o.secrets).map((v) => String(v).length));
    const output = new OutputBuffer(LIVE, (text) => redactSecrets(text, o.secrets), margin);
    const out = capture();
    const err = capture();
    proc.stdout!.on('data', (chunk: Buffer) => (out.add(chunk), output.add('stdout', chunk)));
    proc.stderr!.on('data', (chunk: Buffer) => (err.add(chunk), output.add('stderr', chunk)));
    let closed = false;
    let stopping: 'timeout' | 'cancel' | undefined;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-proc.pid!, signal);
      } catch {
        proc.kill(signal); // no such group (already gone): the child itself, if it is still there
      }
    };
    const child: Child = {
      process: proc,
      output,
      ended: false,
      cancelled: false,
      stop: (reason) => {
        if (reason === 'cancel') child.cancelled = true;
        if (stopping) return;
        stopping = reason;
        signalGroup('SIGTERM');
        // Bounded: what ignores SIGTERM is killed; the timer never keeps the verifier alive.
        setTimeout(() => closed || signalGroup('SIGKILL'), o.killGraceMs).unref();
      },
    };
    let timer: NodeJS.Timeout | undefined;
    proc.once('error', (error) => {
      // Only a child that never started errors here: after 'spawn', a failed kill is the one other source.
      if (proc.pid !== undefined) return;
      reject(new KeylaunchError('launch_failed', `Could not start ${command}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`, { cause: error }));
    });
    // A grandchild still holding the pipes must not keep the run open forever once the job's process exited.
    proc.once('exit', () => setTimeout(() => (proc.stdout!.destroy(), proc.stderr!.destroy()), DRAIN_MS).unref());
    proc.once('spawn', () => {
      register(child);
      track(proc.pid!);
      timer = setTimeout(() => child.stop('timeout'), o.timeoutMs);
      const ended = new Promise<LaunchResult>((settle) => {
        proc.once('close', (exitCode, signal) => {
          closed = true;
          running.delete(proc.pid!);
          clearTimeout(timer);
          output.end();
          child.ended = true;
          const summary = child.cancelled
            ? `cancelled: ${exitCode !== null ? `exited with code ${exitCode}` : `stopped by ${signal}`}`
            : stopping === 'timeout'
              ? `timed out after ${o.timeoutMs / 1000} s`
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
            output: output.tail(RECORDED),
            ...(child.cancelled ? { cancelled: true } : {}),
          };
          settle({ status: exitCode === 0 && !stopping ? 'succeeded' : 'failed', details });
        });
      });
      resolve({ status: 'running', details: { launcher: 'local', summary: `running (pid ${proc.pid})`, pid: proc.pid }, ended });
    });
  });
}

function capture() {
  const chunks: Buffer[] = [];
  let size = 0;
  let dropped = false;
  return {
    add: (chunk: Buffer) => {
      const room = STREAM_LIMIT - size;
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
