import { DescribeTasksCommand, RunTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { KeylaunchError } from '../../../core/errors';
import type { LaunchDetails } from '../../../core/model';
import type { LaunchResult, Launcher, LaunchRequest } from '../../../core/ports';
import { DEFAULT_RETRY, consoleUrl, launchError, runTags, withRetry, type RetryPolicy } from './awsLaunch';

/**
 * `ecs-task` jobs: a Fargate RunTask with the job's network configuration; the job's container gets
 * JOB_NAME, RUN_ID and its execution parameter's name in its environment. The run id is the clientToken,
 * so a retried RunTask cannot start a second task.
 */
export function createEcsTaskLauncher(o: { client: ECSClient; region: string; retry?: RetryPolicy }): Launcher {
  const send = <T>(fn: () => Promise<T>) => withRetry(o.retry ?? DEFAULT_RETRY, fn);
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
        return {
          status: 'running',
          details: { launcher: 'ecs-task', summary: `Task ${taskId} is ${task.lastStatus ?? 'PROVISIONING'}.`, cluster: t.cluster, taskArn: task.taskArn, containerName: t.containerName, lastStatus: task.lastStatus ?? 'PROVISIONING', consoleUrl: consoleUrl.ecs(o.region, t.cluster, taskId) },
        };
      } catch (e) {
        throw launchError(e);
      }
    },

    async status(details: LaunchDetails): Promise<LaunchResult> {
      const out = await send(() => o.client.send(new DescribeTasksCommand({ cluster: String(details.cluster), tasks: [String(details.taskArn)] }))).catch((e) => {
        throw launchError(e);
      });
      const task = out.tasks?.[0];
      const last = task?.lastStatus ?? 'UNKNOWN';
      if (last !== 'STOPPED') return { status: 'running', details: { ...details, lastStatus: last, summary: `Task is ${last}.` } };
      const container = task?.containers?.find((c) => c.name === details.containerName);
      const exitCode = container?.exitCode ?? null;
      return {
        status: exitCode === 0 ? 'succeeded' : 'failed',
        details: { ...details, lastStatus: last, exitCode, stoppedReason: task?.stoppedReason ?? null, summary: `Task stopped${exitCode !== null ? ` with exit code ${exitCode}` : ''}${task?.stoppedReason ? `: ${task.stoppedReason}` : ''}.` },
      };
    },
  };
}
