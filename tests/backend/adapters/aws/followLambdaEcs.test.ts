import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogsClient, FilterLogEventsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { jobDefinitionSchema } from '../../../../backend/core/job';
import type { LaunchRequest } from '../../../../backend/core/ports';
import { createLambdaLauncher, lambdaLogGroup } from '../../../../backend/adapters/launcher/aws/lambdaLauncher';
import { createEcsTaskLauncher } from '../../../../backend/adapters/launcher/aws/ecsTaskLauncher';

/** Following and stopping Lambda and ECS runs (issue 12 §3–4): the exact CloudWatch Logs and ECS calls, and what hostile answers become. */
const retry = { attempts: 2, baseDelayMs: 0, sleep: async () => undefined };
const region = 'eu-west-1';
const awsError = (name: string) => Object.assign(new Error(name), { name, $metadata: {} });
const logs = mockClient(CloudWatchLogsClient);
const REQ = '6bc28136-c43a-4d0c-8f8e-2c1b2f7a9e11';
const LAUNCHED = 1_700_000_000_000;
const STREAM = '2026/11/22/[live]0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const lambdaDetails = { launcher: 'lambda', summary: 's', functionName: 'rotate-keys', requestId: REQ, logGroup: '/aws/lambda/rotate-keys', launchedAt: LAUNCHED };

function request(job: Record<string, unknown>): LaunchRequest {
  return { runId: 'run_01TESTRUN', job: jobDefinitionSchema.parse({ title: 'T', allow: { roles: ['operator'] }, ...job }), params: {}, secrets: {}, requestedBy: 'alice', configVersions: {} };
}

describe('lambda: output from the invoke’s own lines in its log stream', () => {
  const launcher = createLambdaLauncher({ client: new LambdaClient({}), logs: new CloudWatchLogsClient({}), region, retry });
  beforeEach(() => logs.reset());

  it('has no cancel: an asynchronous invoke cannot be stopped', () => {
    expect(launcher.cancel).toBeUndefined();
  });

  it('records the log group at launch, from a name or an ARN', () => {
    expect(lambdaLogGroup('rotate-keys')).toBe('/aws/lambda/rotate-keys');
    expect(lambdaLogGroup('arn:aws:lambda:eu-west-1:123456789012:function:rotate-keys:live')).toBe('/aws/lambda/rotate-keys');
    expect(lambdaLogGroup('123456789012:function:rotate-keys')).toBe('/aws/lambda/rotate-keys');
  });

  it('before the START line: an empty page, not done; it asks only for this request id, after the launch', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    const page = await launcher.output!(lambdaDetails, { runId: 'r', limit: 100 });
    expect(page).toMatchObject({ lines: [], done: false, truncated: false });
    expect(page.cursor).toEqual(expect.any(String));
    expect(logs.commandCalls(FilterLogEventsCommand)[0]!.args[0].input).toEqual({ logGroupName: '/aws/lambda/rotate-keys', filterPattern: `"START RequestId: ${REQ}"`, startTime: LAUNCHED - 60_000, limit: 1 });
    expect(logs.commandCalls(GetLogEventsCommand)).toHaveLength(0);
  });

  it('reads the stream from START to REPORT: earlier invokes’ lines left out, prints without the id kept, multi-line events split, then done', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [{ logStreamName: STREAM, timestamp: LAUNCHED + 5, message: `START RequestId: ${REQ} Version: 3\n` }] });
    logs
      .on(GetLogEventsCommand)
      .resolvesOnce({
        events: [
          { timestamp: LAUNCHED + 5, message: 'REPORT RequestId: 0000-earlier Duration: 1 ms\n' },
          { timestamp: LAUNCHED + 5, message: `START RequestId: ${REQ} Version: 3\n` },
          { timestamp: LAUNCHED + 6, message: 'rotating billing\nstep 1 of 2\n' },
        ],
        nextForwardToken: 'f/1',
      })
      .resolvesOnce({
        events: [
          { timestamp: LAUNCHED + 7, message: `2026-11-22T07:00:00.000Z\t${REQ}\tINFO\tdone\n` },
          { timestamp: LAUNCHED + 8, message: `END RequestId: ${REQ}\n` },
          { timestamp: LAUNCHED + 8, message: `REPORT RequestId: ${REQ}\tDuration: 812.1 ms\n` },
          { timestamp: LAUNCHED + 9, message: 'START RequestId: 9999-next Version: 3\n' },
        ],
        nextForwardToken: 'f/2',
      });
    const first = await launcher.output!(lambdaDetails, { runId: 'r', limit: 100 });
    expect(first.lines.map((l) => [l.seq, l.stream, l.text])).toEqual([
      [0, 'log', `START RequestId: ${REQ} Version: 3`],
      [1, 'log', 'rotating billing'],
      [2, 'log', 'step 1 of 2'],
    ]);
    expect(first.done).toBe(false);
    expect(logs.commandCalls(GetLogEventsCommand)[0]!.args[0].input).toEqual({ logGroupName: '/aws/lambda/rotate-keys', logStreamName: STREAM, startFromHead: true, limit: 100, startTime: LAUNCHED + 5 });
    const second = await launcher.output!(lambdaDetails, { runId: 'r', cursor: first.cursor, limit: 100 });
    expect(second.lines.map((l) => l.seq)).toEqual([3, 4, 5]);
    expect(second.lines.at(-1)!.text).toContain(`REPORT RequestId: ${REQ}`);
    expect(second).toMatchObject({ done: true, truncated: false });
    expect(second.cursor).toBeUndefined();
    // The stream is known from the cursor: no second search; the forward token continues the read.
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(1);
    expect(logs.commandCalls(GetLogEventsCommand)[1]!.args[0].input).toEqual({ logGroupName: '/aws/lambda/rotate-keys', logStreamName: STREAM, startFromHead: true, limit: 100, nextToken: 'f/1' });
  });

  it('stays bounded: at most `limit` lines a page, and a shortened or dropped line says truncated', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [{ logStreamName: STREAM, timestamp: LAUNCHED, message: `START RequestId: ${REQ}` }] });
    logs.on(GetLogEventsCommand).resolves({ events: [{ timestamp: LAUNCHED, message: `START RequestId: ${REQ}` }, { timestamp: LAUNCHED, message: 'a\nb\nc\n' + 'x'.repeat(20_000) }], nextForwardToken: 'f/1' });
    const page = await launcher.output!(lambdaDetails, { runId: 'r', limit: 3 });
    expect(page.lines).toHaveLength(3);
    expect(page.truncated).toBe(true);
  });

  it('status: accepted before START, running until REPORT, then ended (or failed when REPORT says a timeout)', async () => {
    logs.on(FilterLogEventsCommand).resolvesOnce({ events: [] });
    expect((await launcher.status!(lambdaDetails)).status).toBe('accepted');
    const start = { events: [{ logStreamName: STREAM, timestamp: LAUNCHED + 5, message: `START RequestId: ${REQ}` }] };
    logs.reset().on(FilterLogEventsCommand).resolvesOnce(start).resolvesOnce({ events: [] });
    expect((await launcher.status!(lambdaDetails)).status).toBe('running');
    logs.reset().on(FilterLogEventsCommand).resolvesOnce(start).resolvesOnce({ events: [{ logStreamName: STREAM, timestamp: LAUNCHED + 9, message: `REPORT RequestId: ${REQ}\tDuration: 900000.00 ms\tStatus: timeout` }] });
    expect(await launcher.status!(lambdaDetails)).toMatchObject({ status: 'failed', details: { logStream: STREAM } });
    logs.reset().on(FilterLogEventsCommand).resolvesOnce(start).resolvesOnce({ events: [{ logStreamName: STREAM, timestamp: LAUNCHED + 9, message: `REPORT RequestId: ${REQ}\tDuration: 12.00 ms` }] });
    expect((await launcher.status!(lambdaDetails)).status).toBe('ended');
    expect(logs.commandCalls(FilterLogEventsCommand).at(-1)!.args[0].input).toEqual({ logGroupName: '/aws/lambda/rotate-keys', filterPattern: `"REPORT RequestId: ${REQ}"`, startTime: LAUNCHED + 5, limit: 1 });
  });

  it('hostile answers and inputs end in stable codes, never a crash', async () => {
    await expect(launcher.output!({ ...lambdaDetails, requestId: null }, { runId: 'r', limit: 10 })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    await expect(launcher.output!({ ...lambdaDetails, requestId: '"* OR x' }, { runId: 'r', limit: 10 })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    await expect(launcher.output!(lambdaDetails, { runId: 'r', cursor: 'not a cursor!', limit: 10 })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(launcher.output!(lambdaDetails, { runId: 'r', cursor: Buffer.from('{"seq":-1}').toString('base64url'), limit: 10 })).rejects.toMatchObject({ code: 'bad_request' });
    logs.on(FilterLogEventsCommand).resolves({ events: [{ timestamp: LAUNCHED, message: 'START' }] }); // no stream name
    await expect(launcher.output!(lambdaDetails, { runId: 'r', limit: 10 })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    logs.on(FilterLogEventsCommand).resolves({ events: [{ logStreamName: STREAM, timestamp: LAUNCHED, message: `START RequestId: ${REQ}` }] });
    logs.on(GetLogEventsCommand).resolves({ events: 'lots' as never });
    await expect(launcher.output!(lambdaDetails, { runId: 'r', limit: 10 })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    logs.on(GetLogEventsCommand).resolves({ events: [{ timestamp: LAUNCHED, message: `START RequestId: ${REQ}` }, { timestamp: LAUNCHED, message: 42 as never }] });
    await expect(launcher.output!(lambdaDetails, { runId: 'r', cursor: undefined, limit: 10 })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    logs.on(FilterLogEventsCommand).rejects(awsError('AccessDeniedException'));
    await expect(launcher.output!(lambdaDetails, { runId: 'r', limit: 10 })).rejects.toMatchObject({ code: 'access_denied' });
    // A log group that does not exist yet (the function never ran): nothing to show, not an error.
    logs.on(FilterLogEventsCommand).rejects(awsError('ResourceNotFoundException'));
    await expect(launcher.output!(lambdaDetails, { runId: 'r', limit: 10 })).resolves.toMatchObject({ lines: [], done: false });
  });
});

describe('ecs: output from the container’s awslogs stream, cancel with StopTask', () => {
  const ecs = mockClient(ECSClient);
  const launcher = createEcsTaskLauncher({ client: new ECSClient({}), logs: new CloudWatchLogsClient({}), region, retry });
  const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/jobs/0123456789abcdef0123456789abcdef';
  const details = { launcher: 'ecs-task', summary: 's', cluster: 'jobs', taskArn: TASK, containerName: 'app', logGroup: '/ecs/report', logStream: 'report/app/0123456789abcdef0123456789abcdef' };
  beforeEach(() => {
    ecs.reset();
    logs.reset();
  });

  it('records the log group and stream at launch from the task definition the task runs', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'PROVISIONING', taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/report:7' }] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ name: 'sidecar' }, { name: 'app', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/report', 'awslogs-stream-prefix': 'report' } } }] } });
    const result = await launcher.launch(request({ name: 'report', type: 'ecs-task', target: { cluster: 'jobs', taskDefinition: 'report:7', containerName: 'app', subnets: ['subnet-0a1b2c3d'] } }));
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)[0]!.args[0].input).toEqual({ taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/report:7' });
    expect(result.details).toMatchObject({ logGroup: '/ecs/report', logStream: 'report/app/0123456789abcdef0123456789abcdef' });
  });

  it('a task definition it cannot read does not fail the launch that already happened: the run just has no log to follow', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'PROVISIONING', taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/report:7' }] });
    ecs.on(DescribeTaskDefinitionCommand).rejects(awsError('AccessDeniedException'));
    const result = await launcher.launch(request({ name: 'report', type: 'ecs-task', target: { cluster: 'jobs', taskDefinition: 'report:7', containerName: 'app', subnets: ['subnet-0a1b2c3d'] } }));
    expect(result.status).toBe('running');
    expect(result.details.logGroup).toBeUndefined();
    await expect(launcher.output!(result.details, { runId: 'r', limit: 10 })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
  });

  it('reads the stream forward; done only after the task was seen STOPPED and a later read found nothing new', async () => {
    logs
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: [{ timestamp: 1, message: 'month 2026-10' }, { timestamp: 2, message: 'rows: 1200' }], nextForwardToken: 'f/2' })
      .resolvesOnce({ events: [], nextForwardToken: 'f/2' })
      .resolvesOnce({ events: [], nextForwardToken: 'f/2' });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'STOPPED', containers: [{ name: 'app', exitCode: 0 }] }] });
    const first = await launcher.output!(details, { runId: 'r', limit: 50 });
    expect(first.lines.map((l) => `${l.seq}:${l.text}`)).toEqual(['0:month 2026-10', '1:rows: 1200']);
    expect(logs.commandCalls(GetLogEventsCommand)[0]!.args[0].input).toEqual({ logGroupName: '/ecs/report', logStreamName: details.logStream, startFromHead: true, limit: 50 });
    const second = await launcher.output!(details, { runId: 'r', cursor: first.cursor, limit: 50 });
    expect(second).toMatchObject({ lines: [], done: false });
    expect(ecs.commandCalls(DescribeTasksCommand)[0]!.args[0].input).toEqual({ cluster: 'jobs', tasks: [TASK] });
    const third = await launcher.output!(details, { runId: 'r', cursor: second.cursor, limit: 50 });
    expect(third).toMatchObject({ lines: [], done: true });
    expect(logs.commandCalls(GetLogEventsCommand)[2]!.args[0].input).toMatchObject({ nextToken: 'f/2' });
  });

  it('a stream that does not exist yet is an empty page', async () => {
    logs.on(GetLogEventsCommand).rejects(awsError('ResourceNotFoundException'));
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'PROVISIONING' }] });
    await expect(launcher.output!(details, { runId: 'r', limit: 10 })).resolves.toMatchObject({ lines: [], done: false });
  });

  it('log events that are not a list are a bad answer, not a crash or an empty page', async () => {
    logs.on(GetLogEventsCommand).resolves({ events: 'x' as never });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'RUNNING' }] });
    await expect(launcher.output!(details, { runId: 'r', limit: 10 })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
  });

  it('cancel: StopTask with a reason naming who cancelled; a refusal is cancel_failed with the AWS error as its cause', async () => {
    ecs.on(StopTaskCommand).resolvesOnce({ task: { taskArn: TASK, desiredStatus: 'STOPPED' } });
    await launcher.cancel!(details, { runId: 'r', cancelledBy: 'bob' });
    expect(ecs.commandCalls(StopTaskCommand)[0]!.args[0].input).toEqual({ cluster: 'jobs', task: TASK, reason: 'Cancelled in keylaunch by bob' });
    const denied = awsError('AccessDeniedException');
    ecs.on(StopTaskCommand).rejects(denied);
    const error = await launcher.cancel!(details, { runId: 'r', cancelledBy: 'bob' }).catch((e) => e);
    expect(error).toMatchObject({ code: 'cancel_failed', status: 502, cause: denied });
  });

  it('hostile DescribeTasks answers: no task, or tasks that are not a list', async () => {
    ecs.on(DescribeTasksCommand).resolvesOnce({ tasks: [], failures: [{ reason: 'MISSING' }] }).resolvesOnce({ tasks: 'x' as never });
    await expect(launcher.status!(details)).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    await expect(launcher.status!(details)).rejects.toMatchObject({ code: 'aws_answer_invalid' });
  });
});
