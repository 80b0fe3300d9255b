import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { KeylaunchError } from '../../../core/errors';
import type { Launcher, LaunchRequest } from '../../../core/ports';
import { DEFAULT_RETRY, consoleUrl, launchError, launchPayload, withRetry, type RetryPolicy } from './awsLaunch';

/**
 * `lambda` jobs: an asynchronous Invoke (InvocationType Event) of the job's function. Lambda queues the
 * event and answers 202: the run is "accepted", with Lambda's request id. Secrets and an MFA code, when
 * the job takes them, travel only inside this event.
 */
export function createLambdaLauncher(o: { client: LambdaClient; region: string; retry?: RetryPolicy }): Launcher {
  return {
    async launch(request: LaunchRequest) {
      const { job } = request;
      if (job.type !== 'lambda') throw new KeylaunchError('launch_failed', `The Lambda launcher cannot run ${job.type} jobs.`);
      const functionName = job.target.functionName ?? job.name;
      try {
        const out = await withRetry(o.retry ?? DEFAULT_RETRY, () =>
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
            consoleUrl: consoleUrl.lambda(o.region, functionName),
          },
        };
      } catch (e) {
        throw launchError(e, { notFound: 'function_not_found' });
      }
    },
  };
}
