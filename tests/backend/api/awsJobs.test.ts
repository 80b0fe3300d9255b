import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeLaunchTemplateVersionsCommand, DescribeSpotPriceHistoryCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParametersByPathCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startHarness, type Harness } from '../../support/harness';
import { sampleJobs } from '../../support/sampleJobs';
import { createLambdaLauncher } from '../../../backend/adapters/launcher/aws/lambdaLauncher';
import { createEc2Launcher } from '../../../backend/adapters/launcher/aws/ec2Launcher';
import { createStepFunctionsLauncher } from '../../../backend/adapters/launcher/aws/stepFunctionsLauncher';
import { createSsmCatalog } from '../../../backend/adapters/catalog/ssmCatalog';

/** The AWS launchers behind the whole verifier: every failure is a failed run, audited, launched once at most. */
const lambda = mockClient(LambdaClient);
const ec2 = mockClient(EC2Client);
const sfn = mockClient(SFNClient);
const retry = { attempts: 3, baseDelayMs: 0, sleep: async () => undefined };
const awsError = (name: string) => Object.assign(new Error(`${name}: from AWS`), { name, $metadata: {} });
const allow = { roles: ['admin', 'operator'] };
const awsJobs = [
  ...sampleJobs,
  { name: 'deploy-fn', title: 'Deploy function', type: 'lambda', allow },
  { name: 'assume', title: 'Assume a role', type: 'lambda', mfaCode: 'required', allow },
  { name: 'render', title: 'Render node', type: 'ec2', allow, target: { launchTemplate: { name: 'render-node' }, maxSpotPrice: '0.10' } },
  { name: 'nightly', title: 'Nightly', type: 'step-functions', allow, target: { stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly' } },
  { name: 'local-mfa', title: 'Local with MFA', type: 'local', mfaCode: 'required', allow, target: { argv: [process.execPath, '-e', 'console.log("mfa is " + process.env.KEYLAUNCH_MFA_CODE)'] } },
];

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    jobs: awsJobs,
    launchers: {
      lambda: createLambdaLauncher({ client: new LambdaClient({}), region: 'eu-west-1', retry }),
      ec2: createEc2Launcher({ client: new EC2Client({}), region: 'eu-west-1', retry }),
      'step-functions': createStepFunctionsLauncher({ client: new SFNClient({}), region: 'eu-west-1', retry }),
    },
  });
});
afterAll(() => h.close());
beforeEach(() => {
  lambda.reset();
  ec2.reset();
  sfn.reset();
});

async function approve(job: string, params: Record<string, unknown> = {}) {
  const user = await h.enroll();
  const token = await h.session(user);
  const prep = await h.api('POST', '/v1/runs/prepare', { job, params }, token);
  expect(prep.status).toBe(200);
  const assertion = user.authenticator.assert(prep.body.options);
  const confirm = (extra: Record<string, unknown> = {}) => h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion, ...extra }, token);
  return { user, token, prep, confirm };
}

describe('AWS launch failures end as failed runs, audited, never launched twice', () => {
  it.each([
    ['function not found', 'ResourceNotFoundException', 'function_not_found'],
    ['access denied', 'AccessDeniedException', 'access_denied'],
    ['throttling that does not let up', 'TooManyRequestsException', 'throttled'],
  ])('%s -> %s', async (_, awsName, code) => {
    lambda.on(InvokeCommand).rejects(awsError(awsName));
    const { confirm } = await approve('deploy-fn');
    const res = await confirm();
    expect(res.status).toBe(200);
    expect(res.body.run).toMatchObject({ status: 'failed', failure: { code } });
    expect(res.body.run.failure.message.length).toBeGreaterThan(10);
    expect((await h.store.getRun(res.body.run.id))?.failure?.code).toBe(code);
    const audit = (await h.auditEntries()).find((e) => e.runId === res.body.run.id);
    expect(audit).toMatchObject({ action: 'run.confirm', detail: `launch failed: ${code}` });
    const attempts = lambda.commandCalls(InvokeCommand).length;
    const replay = await confirm();
    expect(replay.body.error.code).toBe('challenge_used');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(attempts); // no second launch
  });

  it('a spot price above the maximum: a failed run naming both prices, and no instance', async () => {
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [{ LaunchTemplateData: { InstanceType: 'g5.xlarge', Placement: { AvailabilityZone: 'eu-west-1c' } } }] });
    ec2.on(DescribeSpotPriceHistoryCommand).resolves({ SpotPriceHistory: [{ AvailabilityZone: 'eu-west-1c', SpotPrice: '0.4512', Timestamp: new Date() }] });
    const { confirm } = await approve('render');
    const res = await confirm();
    expect(res.body.run).toMatchObject({ status: 'failed', failure: { code: 'spot_price_too_high' }, launch: { spotPrices: { 'eu-west-1c': 0.4512 }, maxSpotPrice: '0.10' } });
    expect(res.body.run.failure.message).toMatch(/\$0\.4512\/h.*\$0\.10\/h/);
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(0);
  });
});

describe('MFA pass-through', () => {
  it('a job that requires a code refuses a confirmation without one, and launches nothing', async () => {
    const { confirm } = await approve('local-mfa');
    const before = h.launcher.launches.length;
    const res = await confirm();
    expect(res.body.error).toMatchObject({ code: 'params_invalid', details: { fields: { mfaCode: 'six digits' } } });
    expect(h.launcher.launches.length).toBe(before);
  });

  it('passes the code to the job only, never to the record, the audit or the response', async () => {
    const { prep, confirm, token } = await approve('local-mfa');
    expect(prep.body.mfaCode).toBe('required');
    const res = await confirm({ mfaCode: '731904' });
    expect(h.launcher.launches.at(-1)?.mfaCode).toBe('731904');
    const run = await h.ended(res.body.run.id, token);
    expect(run.launch!.stdout).toContain('mfa is [secret]');
    const everything = JSON.stringify([res.body, run, await h.store.getRun(res.body.run.id), await h.auditEntries(1000)]);
    expect(everything).not.toContain('731904');
  });

  it('reaches a Lambda job inside its event only', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202, $metadata: { requestId: 'r-1' } });
    const { confirm } = await approve('assume');
    const res = await confirm({ mfaCode: '552718' });
    expect(res.body.run.status).toBe('accepted');
    const payload = JSON.parse(new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array));
    expect(payload.mfaCode).toBe('552718');
    expect(JSON.stringify(await h.store.getRun(res.body.run.id))).not.toContain('552718');
  });

  it('a job that takes no code refuses one', async () => {
    const { confirm } = await approve('echo', { message: 'x' });
    expect((await confirm({ mfaCode: '123456' })).body.error.code).toBe('params_invalid');
  });
});

describe('run status from the service', () => {
  it('refreshing a running execution asks Step Functions and stores what it says', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:nightly:x', startDate: new Date() });
    sfn.on(DescribeExecutionCommand).resolvesOnce({ status: 'RUNNING' }).resolves({ status: 'SUCCEEDED', stopDate: new Date() });
    const { token, confirm } = await approve('nightly');
    const res = await confirm();
    expect(res.body.run).toMatchObject({ status: 'running', launch: { consoleUrl: expect.stringContaining('states/home') } });
    expect((await h.api('GET', `/v1/runs/${res.body.run.id}`, undefined, token)).body.run.status).toBe('running');
    expect((await h.api('GET', `/v1/runs/${res.body.run.id}`, undefined, token)).body.run.status).toBe('succeeded');
    expect((await h.store.getRun(res.body.run.id))?.status).toBe('succeeded');
    await h.api('GET', `/v1/runs/${res.body.run.id}`, undefined, token);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(2); // a settled run is not asked again
  });
});

describe('config pinning with SSM versions', () => {
  const ssm = mockClient(SSMClient);
  let hs: Harness;
  beforeAll(async () => {
    hs = await startHarness({ catalog: createSsmCatalog({ client: new SSMClient({}), prefix: '/kl', cacheMs: 60_000 }), launchers: { 'step-functions': createStepFunctionsLauncher({ client: new SFNClient({}), region: 'eu-west-1', retry }) } });
  });
  afterAll(() => hs.close());

  it('an invoke or execution version that changed between touch and launch refuses with job_config_changed', async () => {
    const job = { title: 'Nightly', type: 'step-functions', allow, target: { stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly' } };
    const params = (invokeV: number, execV: number) => [
      { Name: '/kl/jobs/nightly/invoke', Value: JSON.stringify(job), Version: invokeV },
      { Name: '/kl/jobs/nightly/execution', Value: '{}', Version: execV },
    ];
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: params(3, 8) });
    ssm.on(GetParametersCommand).resolves({ Parameters: params(3, 9) }); // someone edited the execution config
    const user = await hs.enroll();
    const token = await hs.session(user);
    const prep = await hs.api('POST', '/v1/runs/prepare', { job: 'nightly', params: {} }, token);
    const res = await hs.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: user.authenticator.assert(prep.body.options) }, token);
    expect(res.body.error.code).toBe('job_config_changed');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
