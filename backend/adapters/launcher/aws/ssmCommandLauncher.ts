import { ListCommandsCommand, SendCommandCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { KeylaunchError } from '../../../core/errors';
import { fillPlaceholders } from '../../../core/job';
import { quoteFor } from '../../../core/shellSafety';
import type { LaunchDetails } from '../../../core/model';
import type { LaunchResult, Launcher, LaunchRequest } from '../../../core/ports';
import { DEFAULT_RETRY, consoleUrl, launchError, withRetry, type RetryPolicy } from './awsLaunch';

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

/** `ssm-command` jobs: SendCommand with the job's document, targets and parameters (`{{param}}` filled in). */
export function createSsmCommandLauncher(o: { client: SSMClient; region: string; retry?: RetryPolicy }): Launcher {
  const send = <T>(fn: () => Promise<T>) => withRetry(o.retry ?? DEFAULT_RETRY, fn);
  return {
    async launch(request: LaunchRequest): Promise<LaunchResult> {
      const { job } = request;
      if (job.type !== 'ssm-command') throw new KeylaunchError('launch_failed', `The SSM launcher cannot run ${job.type} jobs.`);
      const t = job.target;
      try {
        const out = await send(() =>
          o.client.send(
            new SendCommandCommand({
              DocumentName: t.documentName,
              ...(t.documentVersion ? { DocumentVersion: t.documentVersion } : {}),
              ...(t.targets ? { Targets: t.targets.map((x) => ({ Key: x.key, Values: x.values })) } : { InstanceIds: t.instanceIds }),
              Parameters: documentParameters(t.documentName, t.parameters, request.params),
              ...(t.timeoutSeconds ? { TimeoutSeconds: t.timeoutSeconds } : {}),
              Comment: `keylaunch ${job.name} ${request.runId} by ${request.requestedBy}`.slice(0, 100),
            }),
          ),
        );
        const commandId = out.Command?.CommandId;
        if (!commandId) throw new KeylaunchError('launch_failed', 'SSM answered without a command id.');
        return {
          status: 'running',
          details: { launcher: 'ssm-command', summary: `Command ${commandId} sent (${out.Command?.Status ?? 'Pending'}).`, commandId, commandStatus: out.Command?.Status ?? 'Pending', consoleUrl: consoleUrl.ssm(o.region, commandId) },
        };
      } catch (e) {
        throw launchError(e);
      }
    },

    async status(details: LaunchDetails): Promise<LaunchResult> {
      const out = await send(() => o.client.send(new ListCommandsCommand({ CommandId: String(details.commandId) }))).catch((e) => {
        throw launchError(e);
      });
      const state = out.Commands?.[0]?.Status ?? 'Pending';
      const status = ['Pending', 'InProgress', 'Delayed'].includes(state) ? 'running' : state === 'Success' ? 'succeeded' : 'failed';
      const counts = out.Commands?.[0];
      return {
        status,
        details: { ...details, commandStatus: state, summary: `Command ${String(details.commandId)}: ${state}${counts ? ` (${counts.CompletedCount ?? 0}/${counts.TargetCount ?? 0} targets done, ${counts.ErrorCount ?? 0} errors)` : ''}.` },
      };
    },
  };
}
