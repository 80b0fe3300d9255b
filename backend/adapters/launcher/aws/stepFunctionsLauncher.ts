import { DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand, StopExecutionCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { KeylaunchError } from '../../../core/errors';
import type { LaunchDetails } from '../../../core/model';
import type { CancelRequest, LaunchResult, Launcher, LaunchRequest, OutputLine, OutputPage, OutputRequest } from '../../../core/ports';
import { DEFAULT_RETRY, cancelError, cancelReason, consoleUrl, followError, launchError, launchPayload, withRetry, type RetryPolicy } from './awsLaunch';
import { invalid, readCursor, writeCursor, MAX_LINE } from './followCursor';

const FINAL_EVENTS = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

/**
 * `step-functions` jobs: StartExecution named after the run id, so a retried start can never make a
 * second execution (names are unique per state machine). The input is the launch payload, without
 * secrets: execution input is kept in the execution's history.
 *
 * Following it: the execution's history as `event` lines (state entered/exited, task failed, …), read
 * forward with GetExecutionHistory's token; once caught up, newest first (reverseOrder) down to the last
 * event already shown, so a poll costs one call however long the history is. Cancel is StopExecution,
 * its cause naming who cancelled.
 */
export function createStepFunctionsLauncher(o: { client: SFNClient; region: string; retry?: RetryPolicy }): Launcher {
  const send = <T>(fn: () => Promise<T>) => withRetry(o.retry ?? DEFAULT_RETRY, fn);
  return {
    async launch(request: LaunchRequest): Promise<LaunchResult> {
      const { job } = request;
      if (job.type !== 'step-functions') throw new KeylaunchError('launch_failed', `The Step Functions launcher cannot run ${job.type} jobs.`);
      try {
        const out = await send(() =>
          o.client.send(new StartExecutionCommand({ stateMachineArn: job.target.stateMachineArn, name: request.runId, input: JSON.stringify(launchPayload(request, { withSecrets: false })) })),
        );
        if (typeof out.executionArn !== 'string' || !out.executionArn.includes(':execution:')) throw new KeylaunchError('launch_failed', 'Step Functions answered without an execution ARN.');
        return {
          status: 'running',
          details: { launcher: 'step-functions', summary: `Execution ${request.runId} started.`, executionArn: out.executionArn, consoleUrl: consoleUrl.sfn(o.region, out.executionArn) },
        };
      } catch (e) {
        throw launchError(e);
      }
    },

    async status(details: LaunchDetails): Promise<LaunchResult> {
      const executionArn = arnOf(details);
      const out = await send(() => o.client.send(new DescribeExecutionCommand({ executionArn }))).catch((e) => {
        throw followError(e);
      });
      if (typeof out?.status !== 'string') throw invalid('an execution without a status');
      const state = out.status;
      const status = state === 'RUNNING' || state === 'PENDING_REDRIVE' ? 'running' : state === 'SUCCEEDED' ? 'succeeded' : 'failed';
      const stopped = out.stopDate instanceof Date && Number.isFinite(out.stopDate.getTime()) ? { stoppedAt: out.stopDate.getTime() } : {};
      return { status, details: { ...details, summary: `Execution ${state.toLowerCase()}.`, executionStatus: state, ...stopped } };
    },

    async output(details: LaunchDetails, request: OutputRequest): Promise<OutputPage> {
      const executionArn = arnOf(details);
      const cursor = readCursor(request.cursor);
      const last = cursor.from ?? 0; // the id of the last event shown
      const max = Math.min(Math.max(request.limit, 1), 1000);
      const caughtUp = cursor.state === 'caught-up';
      const out = await send(() =>
        o.client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: max, includeExecutionData: false, ...(caughtUp ? { reverseOrder: true } : { reverseOrder: false, ...(cursor.token ? { nextToken: cursor.token } : {}) }) })),
      ).catch((e) => {
        throw followError(e);
      });
      if (!Array.isArray(out?.events)) throw invalid('an execution history without events');
      const events = out.events.filter((e) => typeof e?.id === 'number' && e.id > last).sort((a, b) => a.id! - b.id!);
      // Newest first, a full page of only new events may have left older new ones out: say so.
      const truncated = caughtUp && events.length === out.events.length && events.length === max && !!out.nextToken;
      const lines: OutputLine[] = events.slice(0, request.limit).map((e, i) => ({ seq: cursor.seq + i, stream: 'event', text: describeEvent(e), ...(e.timestamp instanceof Date ? { at: e.timestamp.getTime() } : {}) }));
      const done = events.slice(0, request.limit).some((e) => FINAL_EVENTS.has(String(e.type)));
      if (done) return { lines, done: true, truncated };
      const shownUpTo = events.slice(0, request.limit).at(-1)?.id ?? last;
      const token = !caughtUp && typeof out.nextToken === 'string' && out.nextToken.length <= 2048 ? out.nextToken : undefined;
      const next = { seq: cursor.seq + lines.length, from: shownUpTo, ...(token ? { token } : { state: 'caught-up' }) };
      return { lines, cursor: writeCursor(next), done: false, truncated };
    },

    async cancel(details: LaunchDetails, request: CancelRequest): Promise<void> {
      const executionArn = arnOf(details);
      await send(() => o.client.send(new StopExecutionCommand({ executionArn, error: 'keylaunch.Cancelled', cause: cancelReason(request.cancelledBy) }))).catch((e) => {
        throw cancelError(e, `execution ${executionArn.split(':').pop()}`);
      });
    },
  };
}

function arnOf(details: LaunchDetails): string {
  if (typeof details.executionArn !== 'string' || !/^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:execution:/.test(details.executionArn)) throw invalid('no usable execution ARN for this run');
  return details.executionArn;
}

/** One history event as a line: its type, the state it concerns, and an error and cause when it failed. */
function describeEvent(e: HistoryEvent): string {
  const state = e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name;
  const failure = e.executionFailedEventDetails ?? e.taskFailedEventDetails ?? e.lambdaFunctionFailedEventDetails ?? e.executionAbortedEventDetails ?? e.executionTimedOutEventDetails;
  const why = failure ? [failure.error, failure.cause].filter((x): x is string => typeof x === 'string').join(': ') : '';
  return `${String(e.type ?? 'Event')}${state ? ` ${state}` : ''}${why ? ` — ${why}` : ''}`.slice(0, MAX_LINE);
}
