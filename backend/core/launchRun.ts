import { KeylaunchError, isKeylaunchError } from './errors';
import { redactSecrets } from './redact';
import { keepRun, recordRun, releaseRun } from './runRecord';
import { announce, runNotice } from './notification';
import { outcomeOf, refusedBy } from './runs';
import type { VerifierDeps } from './deps';
import type { ParamValue, Run } from './model';
import type { LaunchRequest, LaunchResult } from './ports';

/**
 * Launches a run already recorded as `launching` and records what happened: started, failed to start,
 * and (for a job kept in this process) how it ended. One path for every way a run launches — a touch at
 * confirm, or the last approval of a request (issue 16) — so each gets the same guarantees: the answer
 * comes once the job started (issue 12 §1), a run cancelled meanwhile stays cancelled (§4), and `scrub`
 * keeps secret values out of everything recorded.
 */
export async function launchRecorded(deps: VerifierDeps, run: Run, request: LaunchRequest, scrub: Record<string, ParamValue>): Promise<void> {
  const { job } = request;
  const launcher = deps.launchers[job.type];
  let result: LaunchResult | undefined;
  try {
    if (!launcher) throw new KeylaunchError('launch_failed', `No launcher for jobs of type ${job.type} here.`);
    result = await launcher.launch(request);
  } catch (error) {
    // The run says what failed; the operator's log keeps why (an SDK error, a bug), never the caller.
    if (!isKeylaunchError(error) || error.cause) deps.log(`run ${run.id} (${job.name}): launch failed`, isKeylaunchError(error) ? error.cause : error);
    // Issue 16 §3: told in parallel with the last write, within the notifier's bound.
    await Promise.all([recordRun(deps, run, refusedBy(error, scrub)), announce(deps, runNotice(run), job)]);
    return;
  }
  // It started. If recording that fails, the caller's answer is storage_unavailable and the run says
  // `launching` (docs/api.md: nothing launched "unless a run says so"); a kept job's end is recorded either way.
  const { ended } = result;
  if (ended) keepRun(run);
  const started = recordRun(deps, run, outcomeOf(result, scrub));
  if (ended) {
    void started
      .catch(() => undefined)
      .then(() => ended)
      // A run cancelled meanwhile stays cancelled: its end adds what the job did (exit code, output).
      .then((end) => recordRun(deps, run, run.status === 'cancelled' ? { launch: redactSecrets(end.details, scrub) } : outcomeOf(end, scrub)))
      .then(() => (run.status === 'failed' ? announce(deps, runNotice(run), job) : undefined))
      .catch((e) => deps.log(`run ${run.id} (${job.name}): recording its end failed`, e))
      .finally(() => releaseRun(run.id));
  }
  await Promise.all([started, announce(deps, runNotice(run), job)]);
}
