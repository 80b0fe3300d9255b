import { CancelCommandCommand, GetCommandInvocationCommand, ListCommandInvocationsCommand, ListCommandsCommand, SendCommandCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { KeylaunchError } from '../../../core/errors';
import { fillPlaceholders } from '../../../core/job';
import { quoteFor } from '../../../core/shellSafety';
import type { LaunchDetails } from '../../../core/model';
import type { CancelRequest, LaunchResult, Launcher, LaunchRequest, OutputLine, OutputPage, OutputRequest } from '../../../core/ports';
import { DEFAULT_RETRY, cancelError, consoleUrl, followError, launchError, withRetry, type RetryPolicy } from './awsLaunch';
import { readPrefix } from './cloudWatchOutput';
import { eventLines, invalid, readCursor, writeCursor } from './followCursor';

/**
 * AWS's own shell documents paste `commands` into a script. Values there are shell-safe by construction
 * (job.ts refuses other placeholders) and quoted as well. Any other document parameter is sent as the
 * bare value: a document with typed parameters (the better kind) declares and checks them itself.
 */
const SHELL_DOCUMENTS: Record<string, (value: string) => string> = {
  'AWS-RunShellScript': quoteFor.posix,
  'AWS-RunPowerShellScript': quoteFor.powershell,
};

export function documentParameters(documentName: string, parameters: Record<string, string[]>, values: Record<string, unknown>): Record<string, string[]> {
  const quote = SHELL_DOCUMENTS[documentName.split('/').pop() ?? documentName];
  return Object.fromEntries(
    Object.entries(parameters).map(([k, vs]) => [k, vs.map((v) => fillPlaceholders(v, values, quote && k === 'commands' ? quote : undefined))]),
  );
}

const RUNNING = ['Pending', 'InProgress', 'Delayed', 'Cancelling'];
/** Instances whose output one page fetches, at most: each is one GetCommandInvocation. */
const INSTANCES_PER_PAGE = 5;
/** Instances whose kept output is shown at all (their ids ride in the cursor). */
const MAX_INSTANCES = 20;

/**
 * `ssm-command` jobs: SendCommand with the job's document, targets and parameters (`{{param}}` filled in).
 *
 * Following it: with `cloudWatchLogGroup` in the job, SSM streams each instance's stdout and stderr to
 * `<group>/<command id>/<instance>/<plugin>/stdout|stderr`, read by FilterLogEvents on the command's
 * prefix. Without, each instance's output as SSM keeps it (GetCommandInvocation: at most 24,000 characters
 * of stdout and 8,000 of stderr, once the instance is done). Status is ListCommands: one answer for all
 * targets (GetCommandInvocation answers for one instance, and tag targets name none in advance).
 */
export function createSsmCommandLauncher(o: { client: SSMClient; logs?: CloudWatchLogsClient; region: string; retry?: RetryPolicy; now?: () => number }): Launcher {
  const retry = o.retry ?? DEFAULT_RETRY;
  const send = <T>(fn: () => Promise<T>) => withRetry(retry, fn);
  const commandIdOf = (details: LaunchDetails) => {
    if (typeof details.commandId !== 'string' || !/^[0-9a-f-]{36}$/.test(details.commandId)) throw invalid('no usable command id for this run');
    return details.commandId;
  };

  /** SSM's own bounded output, instance by instance as each finishes. `cursor.skip`: instances already shown. */
  async function keptOutput(details: LaunchDetails, request: OutputRequest): Promise<OutputPage> {
    const commandId = commandIdOf(details);
    const cursor = readCursor(request.cursor);
    const listed = await send(() => o.client.send(new ListCommandInvocationsCommand({ CommandId: commandId, MaxResults: 50 }))).catch((e) => {
      throw followError(e);
    });
    if (listed?.CommandInvocations !== undefined && !Array.isArray(listed.CommandInvocations)) throw invalid('command invocations that are not a list');
    const invocations = (listed?.CommandInvocations ?? []).map((i) => ({ instance: String(i?.InstanceId ?? ''), status: String(i?.Status ?? '') }));
    if (invocations.some((i) => !/^(i|mi)-[0-9a-f]{8,17}$/.test(i.instance))) throw invalid('an invocation without a usable instance id');
    const shown = new Set(cursor.skip ?? []);
    // The cursor names the instances shown (it must stay small): past MAX_INSTANCES, the rest stay in SSM.
    const finished = invocations.filter((i) => !RUNNING.includes(i.status) && !shown.has(i.instance)).slice(0, Math.max(0, Math.min(INSTANCES_PER_PAGE, MAX_INSTANCES - shown.size)));
    const lines: OutputLine[] = [];
    let seq = cursor.seq;
    let truncated = false;
    for (const { instance } of finished) {
      const out = await send(() => o.client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instance }))).catch((e) => {
        throw followError(e);
      });
      const add = (text: string, stream: OutputLine['stream']) => {
        if (lines.length >= request.limit || !text) return;
        const more = eventLines(text, undefined, stream, seq);
        const room = request.limit - lines.length;
        lines.push(...more.lines.slice(0, room));
        seq += Math.min(more.lines.length, room);
        truncated ||= more.truncated || more.lines.length > room;
      };
      add(`${instance}: ${String(out?.Status ?? out?.StatusDetails ?? 'done')}${typeof out?.ResponseCode === 'number' ? ` (exit code ${out.ResponseCode})` : ''}`, 'event');
      add(typeof out?.StandardOutputContent === 'string' ? out.StandardOutputContent : '', 'stdout');
      add(typeof out?.StandardErrorContent === 'string' ? out.StandardErrorContent : '', 'stderr');
      // SSM keeps 24,000 characters of stdout (8,000 of stderr); the rest only in S3 or CloudWatch.
      truncated ||= String(out?.StandardOutputContent ?? '').length >= 24_000 || String(out?.StandardErrorContent ?? '').length >= 8_000;
      shown.add(instance);
    }
    const status = await commandStatus(commandId);
    const capped = shown.size >= MAX_INSTANCES;
    truncated ||= capped && invocations.some((i) => !shown.has(i.instance));
    const done = invocations.length > 0 && !RUNNING.includes(status.state) && (capped || invocations.every((i) => shown.has(i.instance)));
    return { lines, ...(done ? {} : { cursor: writeCursor({ seq, skip: [...shown] }) }), done, truncated };
  }

  async function commandStatus(commandId: string) {
    const out = await send(() => o.client.send(new ListCommandsCommand({ CommandId: commandId }))).catch((e) => {
      throw followError(e);
    });
    if (out?.Commands !== undefined && !Array.isArray(out.Commands)) throw invalid('commands that are not a list');
    const command = out?.Commands?.[0];
    if (!command) throw invalid(`no command ${commandId}`);
    const state = typeof command.Status === 'string' ? command.Status : 'Pending';
    return { state, command };
  }

  return {
    async launch(request: LaunchRequest): Promise<LaunchResult> {
      const { job } = request;
      if (job.type !== 'ssm-command') throw new KeylaunchError('launch_failed', `The SSM launcher cannot run ${job.type} jobs.`);
      const t = job.target;
      const launchedAt = (o.now ?? Date.now)();
      try {
        const out = await send(() =>
          o.client.send(
            new SendCommandCommand({
              DocumentName: t.documentName,
              ...(t.documentVersion ? { DocumentVersion: t.documentVersion } : {}),
              ...(t.targets ? { Targets: t.targets.map((x) => ({ Key: x.key, Values: x.values })) } : { InstanceIds: t.instanceIds }),
              Parameters: documentParameters(t.documentName, t.parameters, request.params),
              ...(t.timeoutSeconds ? { TimeoutSeconds: t.timeoutSeconds } : {}),
              ...(t.cloudWatchLogGroup ? { CloudWatchOutputConfig: { CloudWatchLogGroupName: t.cloudWatchLogGroup, CloudWatchOutputEnabled: true } } : {}),
              Comment: `keylaunch ${job.name} ${request.runId} by ${request.requestedBy}`.slice(0, 100),
            }),
          ),
        );
        const commandId = out.Command?.CommandId;
        if (!commandId) throw new KeylaunchError('launch_failed', 'SSM answered without a command id.');
        return {
          status: 'running',
          details: { launcher: 'ssm-command', summary: `Command ${commandId} sent (${out.Command?.Status ?? 'Pending'}).`, commandId, commandStatus: out.Command?.Status ?? 'Pending', ...(t.cloudWatchLogGroup ? { logGroup: t.cloudWatchLogGroup } : {}), launchedAt, consoleUrl: consoleUrl.ssm(o.region, commandId) },
        };
      } catch (e) {
        throw launchError(e);
      }
    },

    async status(details: LaunchDetails): Promise<LaunchResult> {
      const commandId = commandIdOf(details);
      const { state, command } = await commandStatus(commandId);
      // Cancelled is `failed` here: the run says `cancelled` because the verifier recorded who cancelled it.
      const status = RUNNING.includes(state) ? 'running' : state === 'Success' ? 'succeeded' : 'failed';
      const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n : 0);
      return {
        status,
        details: { ...details, commandStatus: state, summary: `Command ${commandId}: ${state} (${count(command.CompletedCount)}/${count(command.TargetCount)} targets done, ${count(command.ErrorCount)} errors).` },
      };
    },

    async output(details: LaunchDetails, request: OutputRequest): Promise<OutputPage> {
      if (typeof details.logGroup !== 'string') return keptOutput(details, request);
      if (!o.logs) throw new KeylaunchError('aws_answer_invalid', 'No CloudWatch Logs client to follow this run with.');
      const commandId = commandIdOf(details);
      const cursor = readCursor(request.cursor);
      const since = typeof details.launchedAt === 'number' ? details.launchedAt - 60_000 : 0;
      const chunk = await readPrefix({ client: o.logs, retry }, { group: details.logGroup, streamPrefix: `${commandId}/`, since }, cursor, request.limit);
      if (!chunk.caughtUp) return { lines: chunk.lines, cursor: writeCursor(chunk.cursor), done: false, truncated: chunk.truncated };
      // Done once the command was seen finished and a read after that found nothing new.
      if (cursor.state === 'finished') return { lines: chunk.lines, done: true, truncated: chunk.truncated };
      const { state } = await commandStatus(commandId);
      return { lines: chunk.lines, cursor: writeCursor({ ...chunk.cursor, ...(RUNNING.includes(state) ? {} : { state: 'finished' }) }), done: false, truncated: chunk.truncated };
    },

    async cancel(details: LaunchDetails, _request: CancelRequest): Promise<void> {
      const commandId = commandIdOf(details);
      await send(() => o.client.send(new CancelCommandCommand({ CommandId: commandId }))).catch((e) => {
        throw cancelError(e, `command ${commandId}`);
      });
    },
  };
}
