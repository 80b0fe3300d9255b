import { DescribeTaskDefinitionCommand, DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { KeylaunchError } from '../../../core/errors';
import type { LaunchDetails } from '../../../core/model';
import type { CancelRequest, LaunchResult, Launcher, LaunchRequest, OutputPage, OutputRequest } from '../../../core/ports';
import { DEFAULT_RETRY, cancelError, cancelReason, consoleUrl, followError, launchError, runTags, withRetry, type RetryPolicy } from './awsLaunch';
import { readStream } from './cloudWatchOutput';
import { invalid, readCursor, writeCursor } from './followCursor';

/**
 * `ecs-task` jobs: a Fargate RunTask with the job's network configuration; the job's container gets
 * JOB_NAME, RUN_ID and its execution parameter's name in its environment. The run id is the clientToken,
 * so a retried RunTask cannot start a second task.
 *
 * Following it: the container's awslogs configuration (from the task definition the task runs, read
 * once right after RunTask) names the log group and stream (`<prefix>/<container>/<task id>`), recorded
 * at launch; GetLogEvents reads it, DescribeTasks says when the task stopped. Cancel is StopTask, with a
 * reason naming who cancelled (ECS keeps it as the task's stoppedReason).
 */
export function createEcsTaskLauncher(o: { client: ECSClient; logs?: CloudWatchLogsClient; region: string; retry?: RetryPolicy }): Launcher {
  const retry = o.retry ?? DEFAULT_RETRY;
  const send = <T>(fn: () => Promise<T>) => withRetry(retry, fn);

  /** Where the job container logs, if it logs with awslogs. Best effort: the task is running already. */
  async function logsOf(taskDefinitionArn: string | undefined, containerName: string, taskId: string): Promise<Record<string, string>> {
    if (!taskDefinitionArn) return {};
    try {
      const out = await send(() => o.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn })));
      const config = out.taskDefinition?.containerDefinitions?.find((c) => c.name === containerName)?.logConfiguration;
      const group = config?.options?.['awslogs-group'];
      const prefix = config?.options?.['awslogs-stream-prefix'];
      if (config?.logDriver !== 'awslogs' || typeof group !== 'string' || typeof prefix !== 'string') return {};
      return { logGroup: group, logStream: `${prefix}/${containerName}/${taskId}` };
    } catch {
      return {}; // the run is not worse for it: its output is not followed, the console link still works
    }
  }

  async function describe(details: LaunchDetails) {
    const out = await send(() => o.client.send(new DescribeTasksCommand({ cluster: String(details.cluster), tasks: [String(details.taskArn)] }))).catch((e) => {
      throw followError(e);
    });
    if (out?.tasks !== undefined && !Array.isArray(out.tasks)) throw invalid('tasks that are not a list');
    const task = out?.tasks?.[0];
    if (!task) throw invalid(`no task ${String(details.taskArn).slice(0, 200)}${out?.failures?.[0]?.reason ? ` (${String(out.failures[0].reason).slice(0, 100)})` : ''}`);
    return task;
  }

  return {
    async launch(request: LaunchRequest): Promise<LaunchResult> {
      const { job } = request;
      if (job.type !== 'ecs-task') throw new KeylaunchError('launch_failed', `The ECS launcher cannot run ${job.type} jobs.`);
      const t = job.target;
      try {
        const out = await send(() =>
          o.client.send(
            new RunTaskCommand({
              cluster: t.cluster,
              taskDefinition: t.taskDefinition,
              launchType: 'FARGATE',
              count: 1,
              clientToken: request.runId,
              startedBy: 'keylaunch',
              ...(t.platformVersion ? { platformVersion: t.platformVersion } : {}),
              networkConfiguration: { awsvpcConfiguration: { subnets: t.subnets, securityGroups: t.securityGroups, assignPublicIp: t.assignPublicIp ? 'ENABLED' : 'DISABLED' } },
              overrides: {
                containerOverrides: [
                  {
                    name: t.containerName,
                    environment: [
                      { name: 'JOB_NAME', value: job.name },
                      { name: 'RUN_ID', value: request.runId },
                      { name: 'REQUESTED_BY', value: request.requestedBy },
                      { name: 'KEYLAUNCH_EXECUTION_PARAMETER', value: request.execution?.parameter ?? '' },
                      { name: 'KEYLAUNCH_EXECUTION_VERSION', value: request.execution?.version ?? '' },
                      { name: 'KEYLAUNCH_PARAMS', value: JSON.stringify(request.params) },
                    ],
                  },
                ],
              },
              tags: runTags(request).map((x) => ({ key: x.Key, value: x.Value })),
            }),
          ),
        );
        const task = out.tasks?.[0];
        if (!task?.taskArn) {
          const reason = out.failures?.map((f) => `${f.reason ?? 'failure'}${f.detail ? ` (${f.detail})` : ''}`).join('; ') || 'no task started';
          throw new KeylaunchError(/CAPACITY|RESOURCE/i.test(reason) ? 'insufficient_capacity' : 'launch_failed', `ECS did not start the task: ${reason}.`);
        }
        const taskId = task.taskArn.split('/').pop()!;
        const logs = await logsOf(task.taskDefinitionArn, t.containerName, taskId);
        return {
          status: 'running',
          details: { launcher: 'ecs-task', summary: `Task ${taskId} is ${task.lastStatus ?? 'PROVISIONING'}.`, cluster: t.cluster, taskArn: task.taskArn, containerName: t.containerName, lastStatus: task.lastStatus ?? 'PROVISIONING', ...logs, consoleUrl: consoleUrl.ecs(o.region, t.cluster, taskId) },
        };
      } catch (e) {
        throw launchError(e);
      }
    },

    async status(details: LaunchDetails): Promise<LaunchResult> {
      const task = await describe(details);
      const last = task?.lastStatus ?? 'UNKNOWN';
      if (last !== 'STOPPED') return { status: 'running', details: { ...details, lastStatus: last, summary: `Task is ${last}.` } };
      const container = task?.containers?.find((c) => c.name === details.containerName);
      const exitCode = container?.exitCode ?? null;
      return {
        status: exitCode === 0 ? 'succeeded' : 'failed',
        details: { ...details, lastStatus: last, exitCode, stoppedReason: task?.stoppedReason ?? null, summary: `Task stopped${exitCode !== null ? ` with exit code ${exitCode}` : ''}${task?.stoppedReason ? `: ${task.stoppedReason}` : ''}.` },
      };
    },

    /** The container's log; done once the task was seen STOPPED and a read after that found nothing new. */
    async output(details: LaunchDetails, request: OutputRequest): Promise<OutputPage> {
      if (typeof details.logGroup !== 'string' || typeof details.logStream !== 'string') {
        throw new KeylaunchError('aws_answer_invalid', 'This task’s container does not log to CloudWatch (awslogs), so its output cannot be followed here.');
      }
      const cursor = readCursor(request.cursor);
      const chunk = await readStream({ client: logsClient(o.logs), retry }, { group: details.logGroup, stream: details.logStream, kind: 'log' }, cursor, request.limit);
      if (!chunk.caughtUp) return { lines: chunk.lines, cursor: writeCursor(chunk.cursor), done: false, truncated: chunk.truncated };
      if (cursor.state === 'STOPPED') return { lines: chunk.lines, done: true, truncated: chunk.truncated };
      const task = await describe(details);
      return { lines: chunk.lines, cursor: writeCursor({ ...chunk.cursor, ...(task.lastStatus === 'STOPPED' ? { state: 'STOPPED' } : {}) }), done: false, truncated: chunk.truncated };
    },

    async cancel(details: LaunchDetails, request: CancelRequest): Promise<void> {
      await send(() => o.client.send(new StopTaskCommand({ cluster: String(details.cluster), task: String(details.taskArn), reason: cancelReason(request.cancelledBy) }))).catch((e) => {
        throw cancelError(e, `task ${String(details.taskArn).split('/').pop()}`);
      });
    },
  };
}

function logsClient(logs: CloudWatchLogsClient | undefined): CloudWatchLogsClient {
  if (!logs) throw new KeylaunchError('aws_answer_invalid', 'No CloudWatch Logs client to follow this run with.');
  return logs;
}
