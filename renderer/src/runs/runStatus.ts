import type { Run, RunStatus } from '../../../backend/core/model';

/**
 * What a run's page says at the top, in words and in a tone (colour) that agree: "Launched" on a run that
 * never started, or one green for running and succeeded alike, told the person something untrue.
 */
export type RunTone = 'live' | 'queued' | 'good' | 'bad' | 'stopped' | 'unknown';

export interface RunHeading {
  word: string;
  tone: RunTone;
  /** One sentence on what the word means for this run. */
  detail: string;
}

/** Statuses after which nothing about the run changes any more. */
const ENDED: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'ended', 'lost', 'cancelled']);
export const hasEnded = (status: RunStatus) => ENDED.has(status);

/** `failed` with any code but job_failed means the launcher never started the job (docs/api.md). */
export const neverLaunched = (run: Run) => run.status === 'failed' && run.failure?.code !== 'job_failed';

export function runHeading(run: Run): RunHeading {
  switch (run.status) {
    case 'launching':
      return { word: 'Starting', tone: 'live', detail: 'The run is recorded; its start is not recorded yet.' };
    case 'running':
      return { word: 'Running', tone: 'live', detail: 'The job has started and has not ended yet.' };
    case 'accepted':
      return { word: 'Accepted', tone: 'queued', detail: 'Lambda queued the job; it does not report when it ends.' };
    case 'succeeded':
      return { word: 'Succeeded', tone: 'good', detail: 'The job ran and ended successfully.' };
    case 'failed':
      return neverLaunched(run)
        ? { word: 'Not launched', tone: 'bad', detail: 'The job could not be started; nothing ran.' }
        : { word: 'Failed', tone: 'bad', detail: 'The job ran and failed.' };
    case 'ended':
      return { word: 'Ended', tone: 'unknown', detail: 'The instance stopped; EC2 cannot say whether the job succeeded.' };
    case 'lost':
      return { word: 'Lost', tone: 'unknown', detail: 'The verifier stopped while the job ran; nobody saw how it ended.' };
    case 'cancelled':
      return {
        word: 'Cancelled',
        tone: 'stopped',
        detail: run.cancelledBy ? `Stopped by ${run.cancelledBy.userName} at ${new Date(run.cancelledBy.at).toLocaleString()}.` : 'Stopped by an approved cancel.',
      };
    default:
      return { word: String(run.status), tone: 'unknown', detail: '' };
  }
}

/**
 * What a screen reader hears when a run's status changes under the person ("Run succeeded"): the
 * heading's own word, so the spoken and the shown status cannot disagree.
 */
export function statusAnnouncement(run: Run): string {
  const word = run.status === 'running' ? 'started' : runHeading(run).word.toLowerCase();
  return `Run ${word}`;
}

/** "2 min 05 s": how long a run has been going (or went), from its record and the clock. */
export function elapsed(run: Run, now: number): string {
  const end = hasEnded(run.status) ? (run.endedAt ?? run.updatedAt) : now;
  const total = Math.max(0, Math.floor((end - (run.startedAt ?? run.createdAt)) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${s} s`;
}
