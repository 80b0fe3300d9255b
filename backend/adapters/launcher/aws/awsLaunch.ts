import { KeylaunchError, type ErrorCode } from '../../../core/errors';
import type { LaunchRequest } from '../../../core/ports';

/**
 * What every AWS launcher shares: retrying throttles with backoff (the SDK's own retries are off, so one
 * policy applies and tests see every attempt), turning AWS errors into stable codes, and the payload a
 * job receives.
 */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}
export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250 };

const THROTTLES = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'ProvisionedThroughputExceededException', 'ServiceUnavailable', 'ServiceUnavailableException', 'RequestThrottled', 'SlowDown']);
const errorName = (e: unknown) => (e as { name?: string; Code?: string })?.name ?? (e as { Code?: string })?.Code ?? 'Error';

/**
 * Calls `send` until it stops being throttled, at most `attempts` times, with exponential backoff and
 * jitter. Only throttles are retried: a throttled request did not happen, so retrying cannot launch twice.
 */
export async function withRetry<T>(policy: RetryPolicy, send: () => Promise<T>): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      if (!THROTTLES.has(errorName(e))) throw e;
      if (attempt >= policy.attempts) throw new KeylaunchError('throttled', `AWS throttled the request ${attempt} times; nothing was launched.`, { cause: e });
      await sleep(policy.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
    }
  }
}

const CODES: [RegExp, ErrorCode][] = [
  [/^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnauthorizedException|AuthorizationError|KMSAccessDeniedException)$/, 'access_denied'],
  [/^InsufficientInstanceCapacity$/, 'insufficient_capacity'],
  [/^InvalidLaunchTemplate(Id|Name)\.(NotFound|NotFoundException|Malformed|VersionNotFound)$|^InvalidLaunchTemplateId\.VersionNotFound$/, 'launch_template_missing'],
];

/** An AWS error as a KeylaunchError with a stable code and AWS's own (bounded) words. */
export function launchError(e: unknown, o: { notFound?: ErrorCode; otherwise?: ErrorCode } = {}): KeylaunchError {
  if (e instanceof KeylaunchError) return e;
  const name = errorName(e);
  const message = String((e as Error)?.message ?? '').slice(0, 300);
  const code = (name === 'ResourceNotFoundException' && o.notFound) || CODES.find(([re]) => re.test(name))?.[1] || o.otherwise || 'launch_failed';
  return new KeylaunchError(code, `${name}: ${message}`, { cause: e });
}

/** The event a Lambda job receives (and a Step Functions execution's input): who, what, with which config. */
export function launchPayload(request: LaunchRequest, o: { withSecrets: boolean }) {
  return {
    job: request.job.name,
    runId: request.runId,
    params: request.params,
    requestedBy: request.requestedBy,
    execution: request.execution ?? null,
    ...(o.withSecrets && Object.keys(request.secrets).length ? { secrets: request.secrets } : {}),
    ...(o.withSecrets && request.mfaCode ? { mfaCode: request.mfaCode } : {}),
  };
}

/** Tags on what a job starts, so it can be found and attributed (and read back from IMDS on EC2). */
export const runTags = (request: LaunchRequest) => [
  { Key: 'JobName', Value: request.job.name },
  { Key: 'RunId', Value: request.runId },
  { Key: 'RequestedBy', Value: request.requestedBy },
];

export const consoleUrl = {
  lambda: (region: string, fn: string) => `https://${region}.console.aws.amazon.com/lambda/home?region=${region}#/functions/${encodeURIComponent(fn)}?tab=monitoring`,
  ec2: (region: string, id: string) => `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#InstanceDetails:instanceId=${id}`,
  ssm: (region: string, commandId: string) => `https://${region}.console.aws.amazon.com/systems-manager/run-command/${commandId}?region=${region}`,
  ecs: (region: string, cluster: string, taskId: string) => `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/tasks/${taskId}?region=${region}`,
  sfn: (region: string, executionArn: string) => `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${encodeURIComponent(executionArn)}`,
};

/** A status or output call that AWS refused: access_denied/throttled as for launches, else output_unavailable. */
export const followError = (e: unknown) => launchError(e, { otherwise: 'output_unavailable' });

/** A stop that AWS refused: always `cancel_failed`, AWS's error kept as the cause (the cancel route logs it). */
export function cancelError(e: unknown, what: string): KeylaunchError {
  if (e instanceof KeylaunchError && e.code === 'cancel_failed') return e;
  const name = errorName(e);
  return new KeylaunchError('cancel_failed', `AWS did not stop ${what} (${name}).`, { cause: e, details: { awsError: name.slice(0, 100) } });
}

/** Who stopped a run, as the service's own record says it (ECS stoppedReason, Step Functions cause). */
export const cancelReason = (cancelledBy: string) => `Cancelled in keylaunch by ${cancelledBy}`.slice(0, 255);
