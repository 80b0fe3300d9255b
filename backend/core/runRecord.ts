import type { VerifierDeps } from './deps';
import type { Run, RunStatus } from './model';

/**
 * Writing a run record as its run moves on. A local job's child lives in this process, so two things
 * may write its run: the child's end, and an approved cancel (issue 12 §4). Both work on the one shared
 * Run object of a kept run and its writes go out one after another, each with everything known by then:
 * a cancel is never overwritten by the child's exit that it caused, and the exit code still lands.
 * Module state on purpose: the children themselves are per process (run ids are unique across verifiers).
 */

const SETTLED: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'ended', 'lost', 'cancelled']);
export const isSettled = (status: RunStatus) => SETTLED.has(status);
export const isUnsettled = (status: RunStatus) => status === 'running' || status === 'accepted';

interface Kept {
  run: Run;
  writes: Promise<void>;
}
const kept = new Map<string, Kept>();

/** A run whose job ends in this process: later writes to it go through `recordRun`, in order. */
export function keepRun(run: Run): void {
  kept.set(run.id, { run, writes: Promise.resolve() });
}

/** The kept run's end has been recorded: nothing more will write it here. */
export function releaseRun(runId: string): void {
  kept.delete(runId);
}

export const keptRun = (runId: string): Run | undefined => kept.get(runId)?.run;

/**
 * Applies `change` to the run (the shared object when it is kept) and stores it, with when it started
 * and ended filled in from its status. Resolves when this write (and every earlier one) is done.
 */
export function recordRun(deps: Pick<VerifierDeps, 'store' | 'clock'>, run: Run, change: Partial<Run>): Promise<void> {
  const target = kept.get(run.id)?.run ?? run;
  const now = deps.clock.now();
  Object.assign(target, change, { updatedAt: now });
  if (isUnsettled(target.status) && target.startedAt === undefined) target.startedAt = now;
  if (isSettled(target.status) && target.endedAt === undefined) target.endedAt = now;
  const entry = kept.get(run.id);
  if (!entry) return deps.store.updateRun(target);
  // Each write sends the state at its turn, so the last one out carries everything.
  const write = entry.writes.then(() => deps.store.updateRun({ ...target }));
  entry.writes = write.catch(() => undefined);
  return write;
}
