import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { KeylaunchError } from '../../../core/errors';
import type { LaunchDetails } from '../../../core/model';
import type { LaunchResult, Launcher, LaunchRequest } from '../../../core/ports';
import { DEFAULT_RETRY, consoleUrl, launchError, launchPayload, withRetry, type RetryPolicy } from './awsLaunch';

/**
 * `step-functions` jobs: StartExecution named after the run id, so a retried start can never make a
 * second execution (names are unique per state machine). The input is the launch payload, without
 * secrets: execution input is kept in the execution's history.
 */
export function createStepFunctionsLauncher(o: { client: SFNClient; region: string; retry?: RetryPolicy }): Launcher {
  return {
    async launch(request: LaunchRequest): Promise<LaunchResult> {
      const { job } = request;
      if (job.type !== 'step-functions') throw new KeylaunchError('launch_failed', `The Step Functions launcher cannot run ${job.type} jobs.`);
      try {
        const out = await withRetry(o.retry ?? DEFAULT_RETRY, () =>
          o.client.send(new StartExecutionCommand({ stateMachineArn: job.target.stateMachineArn, name: request.runId, input: JSON.stringify(launchPayload(request, { withSecrets: false })) })),
        );
        return {
          status: 'running',
          details: { launcher: 'step-functions', summary: `Execution ${request.runId} started.`, executionArn: out.executionArn!, consoleUrl: consoleUrl.sfn(o.region, out.executionArn!) },
        };
      } catch (e) {
        throw launchError(e);
      }
    },

    async status(details: LaunchDetails): Promise<LaunchResult> {
      const out = await withRetry(o.retry ?? DEFAULT_RETRY, () => o.client.send(new DescribeExecutionCommand({ executionArn: String(details.executionArn) }))).catch((e) => {
        throw launchError(e);
      });
      const state = out.status ?? 'RUNNING';
      const status = state === 'RUNNING' || state === 'PENDING_REDRIVE' ? 'running' : state === 'SUCCEEDED' ? 'succeeded' : 'failed';
      return { status, details: { ...details, summary: `Execution ${state.toLowerCase()}.`, executionStatus: state, ...(out.stopDate ? { stoppedAt: out.stopDate.getTime() } : {}) } };
    },
  };
}
