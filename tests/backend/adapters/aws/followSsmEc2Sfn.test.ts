import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CancelCommandCommand, GetCommandInvocationCommand, ListCommandInvocationsCommand, ListCommandsCommand, SSMClient, SendCommandCommand } from '@aws-sdk/client-ssm';
import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { jobDefinitionSchema } from '../../../../backend/core/job';
import type { LaunchRequest } from '../../../../backend/core/ports';
import { createSsmCommandLauncher } from '../../../../backend/adapters/launcher/aws/ssmCommandLauncher';
import { createEc2Launcher } from '../../../../backend/adapters/launcher/aws/ec2Launcher';
import { createStepFunctionsLauncher } from '../../../../backend/adapters/launcher/aws/stepFunctionsLauncher';

/** Following and stopping SSM, EC2 and Step Functions runs (issue 12 §3–4): exact inputs, and hostile answers. */
const retry = { attempts: 2, baseDelayMs: 0, sleep: async () => undefined };
const region = 'eu-west-1';
const awsError = (name: string) => Object.assign(new Error(name), { name, $metadata: {} });
const CMD = '0b7a3c1e-1d2f-4a5b-8c9d-0e1f2a3b4c5d';
const LAUNCHED = 1_700_000_000_000;

function request(job: Record<string, unknown>): LaunchRequest {
  return { runId: 'run_01TESTRUN', job: jobDefinitionSchema.parse({ title: 'T', allow: { roles: ['operator'] }, ...job }), params: {}, secrets: {}, requestedBy: 'alice', configVersions: {} };
}

describe('ssm: output from CloudWatch when the job names a log group, else SSM’s own bounded output; CancelCommand', () => {
  const ssm = mockClient(SSMClient);
  const logs = mockClient(CloudWatchLogsClient);
  const launcher = createSsmCommandLauncher({ client: new SSMClient({}), logs: new CloudWatchLogsClient({}), region, retry, now: () => LAUNCHED });
  const withLogs = { launcher: 'ssm-command', summary: 's', commandId: CMD, logGroup: '/keylaunch/patch', launchedAt: LAUNCHED };
  const kept = { launcher: 'ssm-command', summary: 's', commandId: CMD, launchedAt: LAUNCHED };
  beforeEach(() => {
    ssm.reset();
    logs.reset();
  });

  it('asks SSM to send the output to the job’s log group, and records it', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: CMD, Status: 'Pending' } });
    const result = await launcher.launch(request({ name: 'patch', type: 'ssm-command', target: { documentName: 'AWS-RunShellScript', instanceIds: ['i-0123456789abcdef0'], parameters: { commands: ['uptime'] }, cloudWatchLogGroup: '/keylaunch/patch' } }));
    expect(ssm.commandCalls(SendCommandCommand)[0]!.args[0].input.CloudWatchOutputConfig).toEqual({ CloudWatchLogGroupName: '/keylaunch/patch', CloudWatchOutputEnabled: true });
    expect(result.details).toMatchObject({ logGroup: '/keylaunch/patch', launchedAt: LAUNCHED });
  });

  it('reads every instance’s stdout and stderr under the command’s prefix, continues after the last event without repeating it, done after the command finished', async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ eventId: 'e1', timestamp: LAUNCHED + 1, logStreamName: `${CMD}/i-0123456789abcdef0/aws-runShellScript/stdout`, message: 'patching\n' }, { eventId: 'e2', timestamp: LAUNCHED + 2, logStreamName: `${CMD}/i-0123456789abcdef0/aws-runShellScript/stderr`, message: 'warning: reboot needed' }] })
      .resolvesOnce({ events: [{ eventId: 'e2', timestamp: LAUNCHED + 2, logStreamName: `${CMD}/i-0123456789abcdef0/aws-runShellScript/stderr`, message: 'warning: reboot needed' }, { eventId: 'e3', timestamp: LAUNCHED + 3, logStreamName: `${CMD}/i-0123456789abcdef0/aws-runShellScript/stdout`, message: 'done' }] })
      .resolves({ events: [] });
    ssm.on(ListCommandsCommand).resolves({ Commands: [{ CommandId: CMD, Status: 'Success' }] });
    const first = await launcher.output!(withLogs, { runId: 'r', limit: 100 });
    expect(first.lines.map((l) => [l.seq, l.stream, l.text])).toEqual([[0, 'stdout', 'patching'], [1, 'stderr', 'warning: reboot needed']]);
    expect(logs.commandCalls(FilterLogEventsCommand)[0]!.args[0].input).toEqual({ logGroupName: '/keylaunch/patch', logStreamNamePrefix: `${CMD}/`, startTime: LAUNCHED - 60_000, limit: 100 });
    const second = await launcher.output!(withLogs, { runId: 'r', cursor: first.cursor, limit: 100 });
    expect(second.lines.map((l) => [l.seq, l.text])).toEqual([[2, 'done']]);
    expect(logs.commandCalls(FilterLogEventsCommand)[1]!.args[0].input).toEqual({ logGroupName: '/keylaunch/patch', logStreamNamePrefix: `${CMD}/`, startTime: LAUNCHED + 2, limit: 100 });
    const third = await launcher.output!(withLogs, { runId: 'r', cursor: second.cursor, limit: 100 });
    expect(third).toMatchObject({ lines: [], done: false });
    expect(ssm.commandCalls(ListCommandsCommand)[0]!.args[0].input).toEqual({ CommandId: CMD });
    const fourth = await launcher.output!(withLogs, { runId: 'r', cursor: third.cursor, limit: 100 });
    expect(fourth).toMatchObject({ lines: [], done: true });
  });

  it('a FilterLogEvents token is passed back with the startTime it was given for', async () => {
    logs.on(FilterLogEventsCommand).resolvesOnce({ events: [{ eventId: 'e1', timestamp: LAUNCHED + 1, logStreamName: `${CMD}/i-1/p/stdout`, message: 'a' }], nextToken: 'n/1' }).resolves({ events: [] });
    ssm.on(ListCommandsCommand).resolves({ Commands: [{ CommandId: CMD, Status: 'InProgress' }] });
    const first = await launcher.output!(withLogs, { runId: 'r', limit: 100 });
    await launcher.output!(withLogs, { runId: 'r', cursor: first.cursor, limit: 100 });
    expect(logs.commandCalls(FilterLogEventsCommand)[1]!.args[0].input).toEqual({ logGroupName: '/keylaunch/patch', logStreamNamePrefix: `${CMD}/`, startTime: LAUNCHED - 60_000, limit: 100, nextToken: 'n/1' });
  });

  it('cursors stay within the API’s 1,024 characters: a long FilterLogEvents token gives way to the last event’s time', async () => {
    logs.on(FilterLogEventsCommand).resolvesOnce({ events: [{ eventId: 'e1', timestamp: LAUNCHED + 1, logStreamName: `${CMD}/i-1/p/stdout`, message: 'a' }], nextToken: 'n'.repeat(2000) }).resolves({ events: [] });
    ssm.on(ListCommandsCommand).resolves({ Commands: [{ CommandId: CMD, Status: 'InProgress' }] });
    const first = await launcher.output!(withLogs, { runId: 'r', limit: 100 });
    expect(first.cursor!.length).toBeLessThanOrEqual(1024);
    await launcher.output!(withLogs, { runId: 'r', cursor: first.cursor, limit: 100 });
    expect(logs.commandCalls(FilterLogEventsCommand)[1]!.args[0].input).toEqual({ logGroupName: '/keylaunch/patch', logStreamNamePrefix: `${CMD}/`, startTime: LAUNCHED + 1, limit: 100 });
    await expect(launcher.output!(withLogs, { runId: 'r', cursor: 'A'.repeat(1025), limit: 100 })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('without a log group: each finished instance’s output once, from GetCommandInvocation, then done', async () => {
    ssm.on(ListCommandInvocationsCommand).resolvesOnce({ CommandInvocations: [{ InstanceId: 'i-0123456789abcdef0', Status: 'Success' }, { InstanceId: 'i-0fedcba9876543210', Status: 'InProgress' }] }).resolves({ CommandInvocations: [{ InstanceId: 'i-0123456789abcdef0', Status: 'Success' }, { InstanceId: 'i-0fedcba9876543210', Status: 'Failed' }] });
    ssm.on(GetCommandInvocationCommand, { InstanceId: 'i-0123456789abcdef0' }).resolves({ Status: 'Success', ResponseCode: 0, StandardOutputContent: 'ok\n', StandardErrorContent: '' });
    ssm.on(GetCommandInvocationCommand, { InstanceId: 'i-0fedcba9876543210' }).resolves({ Status: 'Failed', ResponseCode: 2, StandardOutputContent: 'x'.repeat(24_000), StandardErrorContent: 'disk full' });
    ssm.on(ListCommandsCommand).resolvesOnce({ Commands: [{ CommandId: CMD, Status: 'InProgress' }] }).resolves({ Commands: [{ CommandId: CMD, Status: 'Failed' }] });
    const first = await launcher.output!(kept, { runId: 'r', limit: 100 });
    expect(first.lines.map((l) => [l.stream, l.text])).toEqual([['event', 'i-0123456789abcdef0: Success (exit code 0)'], ['stdout', 'ok']]);
    expect(first).toMatchObject({ done: false, truncated: false });
    expect(ssm.commandCalls(ListCommandInvocationsCommand)[0]!.args[0].input).toEqual({ CommandId: CMD, MaxResults: 50 });
    expect(ssm.commandCalls(GetCommandInvocationCommand).map((c) => c.args[0].input)).toEqual([{ CommandId: CMD, InstanceId: 'i-0123456789abcdef0' }]);
    const second = await launcher.output!(kept, { runId: 'r', cursor: first.cursor, limit: 100 });
    expect(second.lines.map((l) => l.stream)).toEqual(['event', 'stdout', 'stderr']);
    expect(second.lines[0]!.seq).toBe(2);
    expect(second).toMatchObject({ done: true, truncated: true }); // SSM kept only 24,000 characters
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(2);
  });

  it('cancel: CancelCommand for the run’s command; a refusal is cancel_failed', async () => {
    ssm.on(CancelCommandCommand).resolvesOnce({});
    await launcher.cancel!(kept, { runId: 'r', cancelledBy: 'bob' });
    expect(ssm.commandCalls(CancelCommandCommand)[0]!.args[0].input).toEqual({ CommandId: CMD });
    ssm.on(CancelCommandCommand).rejects(awsError('InvalidCommandId'));
    await expect(launcher.cancel!(kept, { runId: 'r', cancelledBy: 'bob' })).rejects.toMatchObject({ code: 'cancel_failed' });
  });

  it('hostile answers: no command, a list that is not one, an instance id that is not one', async () => {
    ssm.on(ListCommandsCommand).resolvesOnce({ Commands: [] }).resolvesOnce({ Commands: 'x' as never });
    await expect(launcher.status!(kept)).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    await expect(launcher.status!(kept)).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    ssm.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [{ InstanceId: '../../etc', Status: 'Success' }] });
    await expect(launcher.output!(kept, { runId: 'r', limit: 10 })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    await expect(launcher.cancel!({ ...kept, commandId: 'x' }, { runId: 'r', cancelledBy: 'bob' })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    expect(ssm.commandCalls(CancelCommandCommand)).toHaveLength(0);
  });
});

describe('ec2: state changes as event lines; TerminateInstances', () => {
  const ec2 = mockClient(EC2Client);
  const launcher = createEc2Launcher({ client: new EC2Client({}), region, retry });
  const ID = 'i-0abc1234def567890';
  const details = { launcher: 'ec2', summary: 's', instanceId: ID };
  const state = (name: string, reason?: string) => ({ Reservations: [{ Instances: [{ InstanceId: ID, State: { Name: name }, ...(reason ? { StateReason: { Message: reason } } : {}) }] }] }) as never;
  beforeEach(() => ec2.reset());

  it('one line per change of state, none while it stays; done once it stopped or terminated', async () => {
    ec2.on(DescribeInstancesCommand).resolvesOnce(state('pending')).resolvesOnce(state('running')).resolvesOnce(state('running')).resolvesOnce(state('terminated', 'Client.UserInitiatedShutdown'));
    const a = await launcher.output!(details, { runId: 'r', limit: 10 });
    const b = await launcher.output!(details, { runId: 'r', cursor: a.cursor, limit: 10 });
    const c = await launcher.output!(details, { runId: 'r', cursor: b.cursor, limit: 10 });
    const d = await launcher.output!(details, { runId: 'r', cursor: c.cursor, limit: 10 });
    expect([a, b, c, d].flatMap((p) => p.lines.map((l) => `${l.seq} ${l.stream} ${l.text}`))).toEqual([
      `0 event Instance ${ID} is pending.`,
      `1 event Instance ${ID} is running.`,
      `2 event Instance ${ID} is terminated (Client.UserInitiatedShutdown).`,
    ]);
    expect([a.done, b.done, c.done, d.done]).toEqual([false, false, false, true]);
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]!.args[0].input).toEqual({ InstanceIds: [ID] });
  });

  it('cancel: TerminateInstances on the run’s instance only; a refusal is cancel_failed', async () => {
    ec2.on(TerminateInstancesCommand).resolvesOnce({ TerminatingInstances: [{ InstanceId: ID }] });
    await launcher.cancel!(details, { runId: 'r', cancelledBy: 'bob' });
    expect(ec2.commandCalls(TerminateInstancesCommand)[0]!.args[0].input).toEqual({ InstanceIds: [ID] });
    ec2.on(TerminateInstancesCommand).rejects(awsError('UnauthorizedOperation'));
    await expect(launcher.cancel!(details, { runId: 'r', cancelledBy: 'bob' })).rejects.toMatchObject({ code: 'cancel_failed' });
  });

  it('hostile answers: no instance, another instance, no state; a recorded id that is not one is never sent', async () => {
    ec2.on(DescribeInstancesCommand).resolvesOnce({ Reservations: [] }).resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-0000000000000000f', State: { Name: 'running' } }] }] } as never).resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: ID }] }] } as never);
    for (let i = 0; i < 3; i++) await expect(launcher.output!(details, { runId: 'r', limit: 10 })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    await expect(launcher.cancel!({ ...details, instanceId: 'i-*' }, { runId: 'r', cancelledBy: 'bob' })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
  });
});

describe('step functions: the execution history as event lines; StopExecution', () => {
  const sfn = mockClient(SFNClient);
  const launcher = createStepFunctionsLauncher({ client: new SFNClient({}), region, retry });
  const ARN = 'arn:aws:states:eu-west-1:123456789012:execution:nightly-etl:run_01TESTRUN';
  const details = { launcher: 'step-functions', summary: 's', executionArn: ARN };
  const at = new Date(LAUNCHED);
  beforeEach(() => sfn.reset());

  it('reads forward with the token, then newest first down to what it showed; done at the execution’s final event', async () => {
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: [{ id: 1, type: 'ExecutionStarted', timestamp: at }, { id: 2, type: 'TaskStateEntered', timestamp: at, stateEnteredEventDetails: { name: 'Extract' } }], nextToken: 'h/1' })
      .resolvesOnce({ events: [{ id: 3, type: 'TaskFailed', timestamp: at, taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'States.Timeout', cause: 'slow source' } }] })
      .resolvesOnce({ events: [{ id: 5, type: 'ExecutionFailed', timestamp: at, executionFailedEventDetails: { error: 'States.Timeout' } }, { id: 4, type: 'TaskStateExited', timestamp: at, stateExitedEventDetails: { name: 'Extract' } }, { id: 3, type: 'TaskFailed', timestamp: at }] });
    const a = await launcher.output!(details, { runId: 'r', limit: 100 });
    const b = await launcher.output!(details, { runId: 'r', cursor: a.cursor, limit: 100 });
    const c = await launcher.output!(details, { runId: 'r', cursor: b.cursor, limit: 100 });
    expect([a, b, c].flatMap((p) => p.lines.map((l) => `${l.seq} ${l.text}`))).toEqual([
      '0 ExecutionStarted',
      '1 TaskStateEntered Extract',
      '2 TaskFailed — States.Timeout: slow source',
      '3 TaskStateExited Extract',
      '4 ExecutionFailed — States.Timeout',
    ]);
    expect([a.done, b.done, c.done]).toEqual([false, false, true]);
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((x) => x.args[0].input)).toEqual([
      { executionArn: ARN, maxResults: 100, includeExecutionData: false, reverseOrder: false },
      { executionArn: ARN, maxResults: 100, includeExecutionData: false, reverseOrder: false, nextToken: 'h/1' },
      { executionArn: ARN, maxResults: 100, includeExecutionData: false, reverseOrder: true },
    ]);
  });

  it('cancel: StopExecution, its cause naming who cancelled; a refusal is cancel_failed', async () => {
    sfn.on(StopExecutionCommand).resolvesOnce({ stopDate: at });
    await launcher.cancel!(details, { runId: 'r', cancelledBy: 'bob' });
    expect(sfn.commandCalls(StopExecutionCommand)[0]!.args[0].input).toEqual({ executionArn: ARN, error: 'keylaunch.Cancelled', cause: 'Cancelled in keylaunch by bob' });
    sfn.on(StopExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));
    await expect(launcher.cancel!(details, { runId: 'r', cancelledBy: 'bob' })).rejects.toMatchObject({ code: 'cancel_failed' });
  });

  it('hostile answers: a history without events, an execution without a status', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({} as never);
    await expect(launcher.output!(details, { runId: 'r', limit: 10 })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    sfn.on(DescribeExecutionCommand).resolves({} as never);
    await expect(launcher.status!(details)).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    await expect(launcher.status!({ ...details, executionArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:x' })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
  });
});
