import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { FilterLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { KeylaunchError } from '../../../core/errors';
import type { LaunchDetails } from '../../../core/model';
import type { LaunchResult, Launcher, LaunchRequest, OutputPage, OutputRequest } from '../../../core/ports';
import { DEFAULT_RETRY, consoleUrl, followError, launchError, launchPayload, withRetry, type RetryPolicy } from './awsLaunch';
import { readStream } from './cloudWatchOutput';
import { readCursor, requireString, writeCursor } from './followCursor';

/**
 * `lambda` jobs: an asynchronous Invoke (InvocationType Event) of the job's function. Lambda queues the
 * event and answers 202: the run is "accepted", with Lambda's request id. Secrets and an MFA code, when
 * the job takes them, travel only inside this event.
 *
 * Following it (issue 12 §3): an async invoke keeps its request id as the function's `awsRequestId`, and
 * the runtime brackets each invocation in its log stream with `START RequestId: <id>` … `END RequestId:
 * <id>` and `REPORT RequestId: <id>`. The function's own prints (Python's print, Node's process.stdout)
 * do not all carry the id, so filtering on the id alone would miss them. Instead: FilterLogEvents finds
 * the START line (which names the stream), then GetLogEvents reads that stream forward from it up to the
 * REPORT line. An execution environment runs one invocation at a time, so what lies between is this
 * run's output. A Lambda async invoke cannot be stopped: there is no `cancel` (docs/api.md).
 */
export function createLambdaLauncher(o: { client: LambdaClient; logs?: CloudWatchLogsClient; region: string; retry?: RetryPolicy; now?: () => number }): Launcher {
  const retry = o.retry ?? DEFAULT_RETRY;
  const now = o.now ?? Date.now;

  /** The invoke's START (or REPORT) line in its log group, if it was written: its stream, time and text. */
  async function findLine(details: Facts, word: 'START' | 'REPORT', since = details.launchedAt - 60_000): Promise<{ stream: string; at: number; text: string } | undefined> {
    const answer = await withRetry(retry, () =>
      logsClient().send(
        new FilterLogEventsCommand({
          logGroupName: details.logGroup,
          filterPattern: `"${word} RequestId: ${details.requestId}"`,
          // An async event may wait in Lambda's queue, but it cannot start before it was accepted.
          startTime: since,
          limit: 1,
        }),
      ),
    ).catch((e) => {
      if ((e as { name?: string })?.name === 'ResourceNotFoundException') return undefined; // no invocation has logged yet
      throw followError(e);
    });
    const event = answer?.events?.[0];
    if (!event) return undefined;
    return { stream: requireString(event.logStreamName, 'log stream name', 512), at: typeof event.timestamp === 'number' ? event.timestamp : since, text: String(event.message ?? '') };
  }

  const logsClient = () => {
    if (!o.logs) throw new KeylaunchError('aws_answer_invalid', 'No CloudWatch Logs client to follow this run with.');
    return o.logs;
  };

  return {
    async launch(request: LaunchRequest) {
      const { job } = request;
      if (job.type !== 'lambda') throw new KeylaunchError('launch_failed', `The Lambda launcher cannot run ${job.type} jobs.`);
      const functionName = job.target.functionName ?? job.name;
      const launchedAt = now();
      try {
        const out = await withRetry(retry, () =>
          o.client.send(
            new InvokeCommand({
              FunctionName: functionName,
              ...(job.target.qualifier ? { Qualifier: job.target.qualifier } : {}),
              InvocationType: 'Event',
              Payload: new TextEncoder().encode(JSON.stringify(launchPayload(request, { withSecrets: true }))),
            }),
          ),
        );
        return {
          status: 'accepted' as const,
          details: {
            launcher: 'lambda',
            summary: `Lambda accepted the event for ${functionName} (asynchronous invoke).`,
            functionName,
            requestId: out.$metadata.requestId ?? null,
            statusCode: out.StatusCode ?? null,
            logGroup: lambdaLogGroup(functionName),
            launchedAt,
            consoleUrl: consoleUrl.lambda(o.region, functionName),
          },
        };
      } catch (e) {
        throw launchError(e, { notFound: 'function_not_found' });
      }
    },

    /** Accepted until the START line appears, running until REPORT, then ended (Lambda keeps no outcome for an async invoke). */
    async status(details: LaunchDetails): Promise<LaunchResult> {
      const facts = factsOf(details);
      const start = await findLine(facts, 'START');
      if (!start) return { status: 'accepted', details: { ...details, summary: `Lambda has not started ${facts.functionName} for this run yet.` } };
      const end = await findLine(facts, 'REPORT', start.at);
      if (!end) return { status: 'running', details: { ...details, logStream: start.stream, summary: `${facts.functionName} is running.` } };
      const report = end.text.trim();
      const failed = /Status: (error|timeout)/.test(report);
      return { status: failed ? 'failed' : 'ended', details: { ...details, logStream: start.stream, summary: `${facts.functionName} ${failed ? 'failed' : 'ended'}: ${report.slice(0, 300)}` } };
    },

    async output(details: LaunchDetails, request: OutputRequest): Promise<OutputPage> {
      const facts = factsOf(details);
      let cursor = readCursor(request.cursor);
      if (!cursor.stream) {
        const start = await findLine(facts, 'START');
        if (!start) return { lines: [], cursor: writeCursor(cursor), done: false, truncated: false };
        cursor = { ...cursor, stream: start.stream, from: start.at };
      }
      const chunk = await readStream({ client: logsClient(), retry }, streamOf(facts, cursor.stream!), cursor, request.limit);
      const done = chunk.cursor.ended === true;
      return { lines: chunk.lines, ...(done ? {} : { cursor: writeCursor(chunk.cursor) }), done, truncated: chunk.truncated };
    },
  };
}

interface Facts {
  functionName: string;
  requestId: string;
  logGroup: string;
  launchedAt: number;
}

/** What the launch recorded, checked: a run from before this was recorded has nothing to follow. */
function factsOf(details: LaunchDetails): Facts {
  if (typeof details.requestId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(details.requestId)) {
    throw new KeylaunchError('aws_answer_invalid', 'Lambda gave no usable request id for this run, so its log cannot be found.');
  }
  return {
    functionName: String(details.functionName),
    requestId: details.requestId,
    logGroup: typeof details.logGroup === 'string' ? details.logGroup : lambdaLogGroup(String(details.functionName)),
    launchedAt: typeof details.launchedAt === 'number' ? details.launchedAt : 0,
  };
}

const streamOf = (facts: Facts, stream: string) => ({
  group: facts.logGroup,
  stream,
  kind: 'log' as const,
  startsAt: (text: string) => text.startsWith(`START RequestId: ${facts.requestId}`),
  endsAt: (text: string) => text.startsWith(`REPORT RequestId: ${facts.requestId}`),
});

/** Lambda's default log group: /aws/lambda/<name>, the name taken out of a full or partial ARN. */
export function lambdaLogGroup(functionName: string): string {
  const m = /(?:^|:)function:([A-Za-z0-9_-]+)/.exec(functionName);
  return `/aws/lambda/${m ? m[1] : functionName}`;
}
