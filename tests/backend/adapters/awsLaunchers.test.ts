import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSpotPriceHistoryCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { ListCommandsCommand, SSMClient, SendCommandCommand } from '@aws-sdk/client-ssm';
import { DescribeTasksCommand, ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { jobDefinitionSchema } from '../../../backend/core/job';
import type { LaunchRequest } from '../../../backend/core/ports';
import { createLambdaLauncher } from '../../../backend/adapters/launcher/aws/lambdaLauncher';
import { createEc2Launcher } from '../../../backend/adapters/launcher/aws/ec2Launcher';
import { createSsmCommandLauncher } from '../../../backend/adapters/launcher/aws/ssmCommandLauncher';
import { createEcsTaskLauncher } from '../../../backend/adapters/launcher/aws/ecsTaskLauncher';
import { createStepFunctionsLauncher } from '../../../backend/adapters/launcher/aws/stepFunctionsLauncher';

const retry = { attempts: 3, baseDelayMs: 0, sleep: async () => undefined };
const region = 'eu-west-1';
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name, $metadata: {} });

function request(job: Record<string, unknown>, extra: Partial<LaunchRequest> = {}): LaunchRequest {
  return {
    runId: 'run_01TESTRUN',
    job: jobDefinitionSchema.parse({ title: 'T', allow: { roles: ['operator'] }, ...job }),
    params: { env: 'prod' },
    secrets: {},
    requestedBy: 'alice',
    configVersions: { invoke: '4', execution: '2' },
    execution: { parameter: '/keylaunch/jobs/deploy/execution', version: '2' },
    ...extra,
  };
}

describe('lambda launcher', () => {
  const lambda = mockClient(LambdaClient);
  const launcher = createLambdaLauncher({ client: new LambdaClient({}), region, retry });
  beforeEach(() => lambda.reset());

  it('invokes the function asynchronously with the launch payload', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202, $metadata: { requestId: 'req-123' } });
    const result = await launcher.launch(request({ name: 'deploy', type: 'lambda' }));
    const calls = lambda.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'deploy', InvocationType: 'Event' });
    expect(input.Qualifier).toBeUndefined();
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual({
      job: 'deploy',
      runId: 'run_01TESTRUN',
      params: { env: 'prod' },
      requestedBy: 'alice',
      execution: { parameter: '/keylaunch/jobs/deploy/execution', version: '2' },
    });
    expect(result).toMatchObject({ status: 'accepted', details: { launcher: 'lambda', requestId: 'req-123', functionName: 'deploy' } });
    expect(result.details.consoleUrl).toBe('https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/deploy?tab=monitoring');
  });

  it('passes an MFA code and secrets only inside the payload', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202, $metadata: {} });
    const result = await launcher.launch(
      request({ name: 'assume', type: 'lambda', mfaCode: 'required', params: [{ name: 'token', type: 'string', secret: true }], target: { functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:assume', qualifier: 'live' } }, { secrets: { token: 'abc' }, mfaCode: '904271' }),
    );
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:assume', Qualifier: 'live' });
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toMatchObject({ mfaCode: '904271', secrets: { token: 'abc' } });
    expect(JSON.stringify(result)).not.toContain('904271');
  });

  it.each([
    ['ResourceNotFoundException', 'function_not_found'],
    ['AccessDeniedException', 'access_denied'],
    ['ServiceException', 'launch_failed'],
  ])('%s ends as %s, after exactly one attempt', async (name, code) => {
    lambda.on(InvokeCommand).rejects(awsError(name, `${name}: details`));
    await expect(launcher.launch(request({ name: 'deploy', type: 'lambda' }))).rejects.toMatchObject({ code, message: expect.stringContaining(name) });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
  });

  it('retries throttling with backoff, then succeeds', async () => {
    lambda.on(InvokeCommand).rejectsOnce(awsError('TooManyRequestsException')).rejectsOnce(awsError('TooManyRequestsException')).resolves({ StatusCode: 202, $metadata: {} });
    expect((await launcher.launch(request({ name: 'deploy', type: 'lambda' }))).status).toBe('accepted');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(3);
  });

  it('gives up after the last attempt (throttled), and never tries more', async () => {
    lambda.on(InvokeCommand).rejects(awsError('TooManyRequestsException'));
    await expect(launcher.launch(request({ name: 'deploy', type: 'lambda' }))).rejects.toMatchObject({ code: 'throttled' });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(3);
  });
});

describe('ec2 launcher and the spot price guard', () => {
  const ec2 = mockClient(EC2Client);
  const launcher = createEc2Launcher({ client: new EC2Client({}), region, retry, now: () => new Date('2026-11-21T12:00:00Z') });
  const spotJob = (target: Record<string, unknown> = {}) => request({ name: 'render', type: 'ec2', target: { launchTemplate: { name: 'render-node', version: '3' }, maxSpotPrice: '0.10', ...target } });
  beforeEach(() => {
    ec2.reset();
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [{ LaunchTemplateData: { InstanceType: 'm5.large', NetworkInterfaces: [{ SubnetId: 'subnet-0a1b2c3d' }] } }] });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-0a1b2c3d', AvailabilityZone: 'eu-west-1a' }] });
    ec2.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-0abc1234def567890', InstanceType: 'm5.large', Placement: { AvailabilityZone: 'eu-west-1a' }, State: { Name: 'pending' } }] });
  });
  const prices = (list: [string, string][]) =>
    ec2.on(DescribeSpotPriceHistoryCommand).resolves({ SpotPriceHistory: list.map(([AvailabilityZone, SpotPrice]) => ({ AvailabilityZone, SpotPrice, Timestamp: new Date('2026-11-21T11:00:00Z') })) });

  it('checks the price in the template’s zones, then launches spot with tags, IMDS tags and the run id as client token', async () => {
    prices([['eu-west-1a', '0.041'], ['eu-west-1b', '0.90']]); // 1b is not a zone this template launches in
    const result = await launcher.launch(spotJob());
    expect(ec2.commandCalls(DescribeLaunchTemplateVersionsCommand)[0]!.args[0].input).toEqual({ LaunchTemplateName: 'render-node', Versions: ['3'] });
    expect(ec2.commandCalls(DescribeSpotPriceHistoryCommand)[0]!.args[0].input).toEqual({ InstanceTypes: ['m5.large'], ProductDescriptions: ['Linux/UNIX'], StartTime: new Date('2026-11-21T12:00:00Z') });
    const tags = [{ Key: 'JobName', Value: 'render' }, { Key: 'RunId', Value: 'run_01TESTRUN' }, { Key: 'RequestedBy', Value: 'alice' }];
    const input = ec2.commandCalls(RunInstancesCommand)[0]!.args[0].input;
    expect(input).toEqual({
      LaunchTemplate: { LaunchTemplateName: 'render-node', Version: '3' },
      MinCount: 1,
      MaxCount: 1,
      ClientToken: 'run_01TESTRUN',
      TagSpecifications: [{ ResourceType: 'instance', Tags: tags }, { ResourceType: 'volume', Tags: tags }],
      MetadataOptions: { InstanceMetadataTags: 'enabled', HttpTokens: 'required' },
      InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' } },
    });
    expect(JSON.stringify(input)).not.toContain('MaxPrice');
    expect(result).toMatchObject({ status: 'running', details: { instanceId: 'i-0abc1234def567890', market: 'spot', spotPriceSeen: '0.041', spotPrices: { 'eu-west-1a': 0.041 } } });
  });

  it('refuses when the price is above the maximum, naming both prices, and launches nothing', async () => {
    prices([['eu-west-1a', '0.131']]);
    const refusal = await launcher.launch(spotJob()).catch((e) => e);
    expect(refusal).toMatchObject({ code: 'spot_price_too_high', details: { currentPrice: '0.131', maxPrice: '0.10' } });
    expect(refusal.message).toContain('$0.131/h');
    expect(refusal.message).toContain('$0.10/h');
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(0);
  });

  it('with every zone as a candidate, the highest zone price decides', async () => {
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [{ LaunchTemplateData: { InstanceType: 'c6i.xlarge' } }] });
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: [{ ZoneName: 'eu-west-1a' }, { ZoneName: 'eu-west-1b' }] });
    prices([['eu-west-1a', '0.05'], ['eu-west-1b', '0.12']]);
    await expect(launcher.launch(spotJob())).rejects.toMatchObject({ code: 'spot_price_too_high', details: { currentPrice: '0.12' } });
  });

  it('falls back to on-demand only when the job asks for it', async () => {
    prices([['eu-west-1a', '0.50']]);
    const result = await launcher.launch(spotJob({ onDemandFallback: true }));
    const input = ec2.commandCalls(RunInstancesCommand)[0]!.args[0].input;
    expect(input.InstanceMarketOptions).toBeUndefined();
    expect(result.details).toMatchObject({ market: 'on-demand', fallback: expect.stringContaining('on-demand') });
  });

  it('an on-demand job skips the price check', async () => {
    await launcher.launch(request({ name: 'od', type: 'ec2', target: { launchTemplate: { id: 'lt-0123456789abcdef0' }, market: 'on-demand' } }));
    expect(ec2.commandCalls(DescribeSpotPriceHistoryCommand)).toHaveLength(0);
    expect(ec2.commandCalls(RunInstancesCommand)[0]!.args[0].input.LaunchTemplate).toEqual({ LaunchTemplateId: 'lt-0123456789abcdef0', Version: '$Default' });
  });

  it('a missing launch template is launch_template_missing, with nothing launched', async () => {
    ec2.on(DescribeLaunchTemplateVersionsCommand).rejects(awsError('InvalidLaunchTemplateName.NotFoundException', 'The specified launch template, with template name render-node, does not exist.'));
    await expect(launcher.launch(spotJob())).rejects.toMatchObject({ code: 'launch_template_missing' });
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(0);
  });

  it('InsufficientInstanceCapacity is insufficient_capacity; UnauthorizedOperation is access_denied', async () => {
    prices([['eu-west-1a', '0.01']]);
    ec2.on(RunInstancesCommand).rejectsOnce(awsError('InsufficientInstanceCapacity')).rejectsOnce(awsError('UnauthorizedOperation'));
    await expect(launcher.launch(spotJob())).rejects.toMatchObject({ code: 'insufficient_capacity' });
    await expect(launcher.launch(spotJob())).rejects.toMatchObject({ code: 'access_denied' });
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(2);
  });

  it('reports the instance state on refresh: running, then ended', async () => {
    const instance = (state: string) => ({ Reservations: [{ Instances: [{ InstanceId: 'i-0abc1234def567890', State: { Name: state } }] }] }) as never;
    ec2.on(DescribeInstancesCommand).resolvesOnce(instance('running')).resolvesOnce(instance('terminated'));
    const details = { launcher: 'ec2', summary: 's', instanceId: 'i-0abc1234def567890' };
    expect((await launcher.status!(details)).status).toBe('running');
    expect(await launcher.status!(details)).toMatchObject({ status: 'ended', details: { instanceState: 'terminated' } });
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]!.args[0].input).toEqual({ InstanceIds: ['i-0abc1234def567890'] });
  });
});

describe('ssm-command launcher', () => {
  const ssm = mockClient(SSMClient);
  const launcher = createSsmCommandLauncher({ client: new SSMClient({}), region, retry });
  beforeEach(() => ssm.reset());

  it('sends the document to the targets with parameters filled in, and follows its status', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: '0b7a3c1e-1d2f-4a5b-8c9d-0e1f2a3b4c5d', Status: 'Pending' } });
    const result = await launcher.launch(
      request({ name: 'patch', type: 'ssm-command', params: [{ name: 'env', type: 'enum', values: ['prod'] }], target: { documentName: 'AWS-RunShellScript', targets: [{ key: 'tag:Role', values: ['web'] }], parameters: { commands: ['./patch.sh --env {{env}}'] }, timeoutSeconds: 600 } }),
    );
    expect(ssm.commandCalls(SendCommandCommand)[0]!.args[0].input).toEqual({
      DocumentName: 'AWS-RunShellScript',
      Targets: [{ Key: 'tag:Role', Values: ['web'] }],
      // Safe by construction (an enum of safe words) and quoted as well (issue 11 §4).
      Parameters: { commands: ["./patch.sh --env 'prod'"] },
      TimeoutSeconds: 600,
      Comment: 'keylaunch patch run_01TESTRUN by alice',
    });
    expect(result.details).toMatchObject({ commandId: '0b7a3c1e-1d2f-4a5b-8c9d-0e1f2a3b4c5d', consoleUrl: 'https://eu-west-1.console.aws.amazon.com/systems-manager/run-command/0b7a3c1e-1d2f-4a5b-8c9d-0e1f2a3b4c5d?region=eu-west-1' });
    ssm.on(ListCommandsCommand).resolves({ Commands: [{ Status: 'Success', TargetCount: 2, CompletedCount: 2, ErrorCount: 0 }] });
    expect(await launcher.status!(result.details)).toMatchObject({ status: 'succeeded', details: { commandStatus: 'Success' } });
    ssm.on(ListCommandsCommand).resolves({ Commands: [{ Status: 'Failed', TargetCount: 2, CompletedCount: 2, ErrorCount: 1 }] });
    expect((await launcher.status!(result.details)).status).toBe('failed');
  });
});

describe('ecs-task launcher', () => {
  const ecs = mockClient(ECSClient);
  const launcher = createEcsTaskLauncher({ client: new ECSClient({}), region, retry });
  const job = request({ name: 'report', type: 'ecs-task', target: { cluster: 'jobs', taskDefinition: 'report:7', containerName: 'app', subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'] } });
  beforeEach(() => ecs.reset());

  it('runs a Fargate task with the network configuration and the job’s environment', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/jobs/abc123', lastStatus: 'PROVISIONING' }] });
    const result = await launcher.launch(job);
    expect(ecs.commandCalls(RunTaskCommand)[0]!.args[0].input).toEqual({
      cluster: 'jobs',
      taskDefinition: 'report:7',
      launchType: 'FARGATE',
      count: 1,
      clientToken: 'run_01TESTRUN',
      startedBy: 'keylaunch',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'], assignPublicIp: 'DISABLED' } },
      overrides: {
        containerOverrides: [
          {
            name: 'app',
            environment: [
              { name: 'JOB_NAME', value: 'report' },
              { name: 'RUN_ID', value: 'run_01TESTRUN' },
              { name: 'REQUESTED_BY', value: 'alice' },
              { name: 'KEYLAUNCH_EXECUTION_PARAMETER', value: '/keylaunch/jobs/deploy/execution' },
              { name: 'KEYLAUNCH_EXECUTION_VERSION', value: '2' },
              { name: 'KEYLAUNCH_PARAMS', value: '{"env":"prod"}' },
            ],
          },
        ],
      },
      tags: [{ key: 'JobName', value: 'report' }, { key: 'RunId', value: 'run_01TESTRUN' }, { key: 'RequestedBy', value: 'alice' }],
    });
    expect(result.details).toMatchObject({ taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/jobs/abc123', consoleUrl: 'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/jobs/tasks/abc123?region=eu-west-1' });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ lastStatus: 'STOPPED', stoppedReason: 'Essential container exited', containers: [{ name: 'app', exitCode: 1 }] }] });
    expect(await launcher.status!(result.details)).toMatchObject({ status: 'failed', details: { exitCode: 1 } });
  });

  it('a task ECS could not place is a failed launch with ECS’s reason', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no ENIs' }] });
    await expect(launcher.launch(job)).rejects.toMatchObject({ code: 'insufficient_capacity', message: expect.stringContaining('RESOURCE:ENI') });
  });
});

describe('step-functions launcher', () => {
  const sfn = mockClient(SFNClient);
  const launcher = createStepFunctionsLauncher({ client: new SFNClient({}), region, retry });
  beforeEach(() => sfn.reset());

  it('starts an execution named after the run, with the payload as input, and follows it', async () => {
    const arn = 'arn:aws:states:eu-west-1:123456789012:execution:nightly:run_01TESTRUN';
    sfn.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: new Date() });
    const result = await launcher.launch(request({ name: 'nightly', type: 'step-functions', target: { stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly' } }));
    const input = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly', name: 'run_01TESTRUN' });
    expect(JSON.parse(input.input!)).toEqual({ job: 'nightly', runId: 'run_01TESTRUN', params: { env: 'prod' }, requestedBy: 'alice', execution: { parameter: '/keylaunch/jobs/deploy/execution', version: '2' } });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', stopDate: new Date() });
    expect((await launcher.status!(result.details)).status).toBe('succeeded');
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toEqual({ executionArn: arn });
  });
});

describe('job definitions per type', () => {
  it('refuses secrets and MFA codes for jobs whose launch input AWS keeps', () => {
    const base = { name: 'x', title: 'X', allow: { roles: ['admin'] } };
    expect(() => jobDefinitionSchema.parse({ ...base, type: 'ec2', mfaCode: 'required', target: { launchTemplate: { name: 'lt' }, maxSpotPrice: '0.1' } })).toThrow(/cannot take an MFA code/);
    expect(() => jobDefinitionSchema.parse({ ...base, type: 'step-functions', params: [{ name: 's', type: 'string', secret: true }], target: { stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:n' } })).toThrow(/cannot take secret parameters/);
    expect(() => jobDefinitionSchema.parse({ ...base, type: 'ec2', target: { launchTemplate: { name: 'lt' } } })).toThrow(/maxSpotPrice/);
    expect(() => jobDefinitionSchema.parse({ ...base, type: 'ssm-command', target: { documentName: 'AWS-RunShellScript', parameters: { commands: ['{{nope}}'] }, instanceIds: ['i-0123456789abcdef0'] } })).toThrow(/not a declared non-secret parameter/);
  });
});
