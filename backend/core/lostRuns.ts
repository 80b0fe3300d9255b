import type { Run } from './model';
import type { Clock, Store } from './ports';

/**
 * Local mode keeps each job's child in the verifier process (adapters/launcher/localLauncher.ts). When
 * that process stops, nobody is left to record the end, so at the next start every run it left
 * `running` (or still `launching`: the launcher never answered) is marked `lost` with the reason,
 * never left "running" forever. Only for a verifier whose runs are all its own (local mode).
 */
export const LOST_FAILURE = {
  code: 'verifier_restarted',
  message: 'The verifier stopped while this job was running, so its outcome was not recorded. Check what the job did before running it again.',
} as const;

const PAGE = 100;

export async function markLostRuns(deps: { store: Store; clock: Clock }): Promise<Run[]> {
  const lost: Run[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listRuns({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const run of page.items.filter(wasLeftUnfinished)) {
      const updated: Run = { ...run, status: 'lost', failure: { ...LOST_FAILURE }, updatedAt: deps.clock.now() };
      await deps.store.updateRun(updated);
      lost.push(updated);
    }
    cursor = page.cursor;
  } while (cursor);
  return lost;
}

const wasLeftUnfinished = (run: Run) => run.status === 'launching' || (run.status === 'running' && run.launch?.launcher === 'local');
