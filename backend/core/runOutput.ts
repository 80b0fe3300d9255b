import { KeylaunchError, isKeylaunchError } from './errors';
import { loadSession } from './sessionGuard';
import { isUnsettled } from './runRecord';
import type { RequestContext, VerifierDeps } from './deps';
import type { OutputLine } from './ports';

/** GET /v1/runs/{id}/output (issue 12 §3): a page of a run's output, from whoever keeps it. */
export interface RunOutput {
  lines: OutputLine[];
  /** Pass it back for what comes next; absent once `done`. */
  cursor?: string;
  /** No more output will come. */
  done: boolean;
  /** Lines were dropped to stay bounded: the full log stays where the service keeps it. */
  truncated: boolean;
  consoleUrl?: string;
}

/**
 * Visible to every signed-in session, like the run itself. The launcher that started the run serves
 * its output (a local child's streams, CloudWatch Logs…); a run whose launcher has none to follow has
 * no lines, and is done once it has ended. The cursor is the launcher's, and hostile: it checks it.
 */
export async function runOutput(deps: VerifierDeps, ctx: RequestContext, input: { runId: string; cursor?: string; limit: number }): Promise<RunOutput> {
  ctx.facts.runId = input.runId;
  const [, , run] = await Promise.all([ctx.gate, loadSession(deps, ctx), deps.store.getRun(input.runId)]);
  if (!run) throw new KeylaunchError('not_found', `No run ${input.runId}.`);
  ctx.facts.job = run.job;
  const consoleUrl = typeof run.launch?.consoleUrl === 'string' ? { consoleUrl: run.launch.consoleUrl } : {};
  const launcher = run.launch ? deps.launchers[run.launch.launcher as keyof typeof deps.launchers] : undefined;
  if (!run.launch || !launcher?.output) {
    const done = run.status !== 'launching' && !isUnsettled(run.status);
    return { lines: [], ...(done ? {} : { cursor: input.cursor ?? '0' }), done, truncated: false, ...consoleUrl };
  }
  try {
    const page = await launcher.output(run.launch, { runId: run.id, ...(input.cursor !== undefined ? { cursor: input.cursor } : {}), limit: input.limit });
    return { lines: page.lines, ...(page.cursor !== undefined ? { cursor: page.cursor } : {}), done: page.done, truncated: page.truncated, ...consoleUrl };
  } catch (error) {
    if (isKeylaunchError(error)) throw error;
    throw new KeylaunchError('output_unavailable', 'The service keeping this run’s output could not be asked; try again.', { cause: error });
  }
}
