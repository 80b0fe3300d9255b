import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SSMClient } from '@aws-sdk/client-ssm';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LAMBDA_HANDLER, buildLambda } from '../../build/buildLambda';
import { loadCatalog } from '../../backend/deploy/loadCatalog';
import { ACCOUNT, REGION, onlyId, render, synth } from '../backend/deploy/synth';
import { pushJobs } from '../../backend/cli/jobCatalogAdmin';
import { createInvite } from '../../backend/core/invites';
import { issueProposer } from '../../backend/core/proposers';
import { createDynamoStore } from '../../backend/adapters/dynamo/dynamoStore';
import { systemClock, systemRandom } from '../../backend/createVerifier';
import { startLocalDynamo } from '../../backend/local/localDynamo';
import { AUDIT_KMS_KEY, AwsFault, FAKE_CREDENTIALS, startAwsFakes, type AwsFakes, type FakeService } from '../support/awsFakes';
import { verifyAudit } from '../../backend/receipt/verifyAudit';
import { startLambdaProcess } from '../support/lambdaProcess';
import { restApiEvent } from '../support/apiGatewayEvent';
import { SoftAuthenticator } from '../support/softAuthenticator';

/**
 * The verifier exactly as `npm run deploy` ships it: build/buildLambda.ts's bundle, copied alone into a
 * task folder (no node_modules beside it, as in Lambda), imported by a stand-in of the Lambda runtime in
 * a child process and called with API Gateway's real event shape. AWS is played by dynalite (DynamoDB)
 * and recording fakes (tests/support/awsFakes.ts) reached through the SDK's standard endpoint variables.
 * The catalog is jobs/aws.example.yaml, pushed by `npm run jobs -- push`'s own code; the function's
 * environment is the one the deploy stack synthesizes for that catalog.
 * Issue 16 §3: the stack is synthesized with a notification topic it creates, told of every event, and the
 * catalog has one more job, with approvals, so a request waits before its run launches.
 */
const TABLE = 'keylaunch-artifact';
const API_ID = 'abc123';
const ORIGIN = `https://${API_ID}.execute-api.${REGION}.amazonaws.com`;
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:keylaunch-session-AbCdEf`;
const AUDIT_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const CALLER = '203.0.113.10'; // inside the synthesized stack's allowedCidrs
let PREFIX = '';
let TASK_ROOT = '';
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:keylaunch-ops-AbCdEf`;
const NOTIFICATIONS = { destinations: { ops: { sns: 'create' } }, everyEvent: ['ops'] };
/** The example catalog and a job two people launch (issue 16 §1): the requester and one more. */
const CATALOG_TEXT = `${readFileSync('jobs/aws.example.yaml', 'utf8')}
  - name: rotate-keys-pair
    title: Rotate service keys, two people
    type: lambda
    target: { functionName: rotate-keys, qualifier: live }
    params:
      - { name: service, type: enum, values: [billing, search, auth], required: true }
    allow: { roles: [admin, operator] }
    approvals: { min: 2, requesterCounts: true, ttl: 600 }
`;
const CATALOG_FILE = join(mkdtempSync(join(tmpdir(), 'kl-catalog-')), 'aws.yaml');
writeFileSync(CATALOG_FILE, CATALOG_TEXT);

/** The function's environment exactly as the deploy stack sets it, with CloudFormation's references resolved. */
async function stackEnvironment(): Promise<Record<string, string>> {
  const template = synth({ notifications: NOTIFICATIONS }, await loadCatalog(CATALOG_FILE));
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: LAMBDA_HANDLER } })) as any[];
  // Each job's launch role as CloudFormation would name it.
  const roles = Object.fromEntries(Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('LaunchRoles')).map((id) => [`${id}.Arn`, `arn:aws:iam::${ACCOUNT}:role/keylaunch-${id}`]));
  const refs = { [onlyId(template, 'AWS::ApiGateway::RestApi')]: API_ID, [onlyId(template, 'AWS::DynamoDB::Table')]: TABLE, [onlyId(template, 'AWS::SecretsManager::Secret')]: SECRET_ARN, [onlyId(template, 'AWS::KMS::Key')]: AUDIT_KEY_ID, [onlyId(template, 'AWS::SNS::Topic')]: TOPIC_ARN, 'AWS::Partition': 'aws', ...roles };
  return Object.fromEntries(Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>).map(([k, v]) => [k, render(v, refs)]));
}

/** Job name → its launch role's ARN, from the stack's own environment for the function. */
let ROLES: Record<string, string> = {};
/** The first run of each job, as confirm answered it. */
const launched: Record<string, any> = {};
let dynamo: Awaited<ReturnType<typeof startLocalDynamo>>;
let aws: AwsFakes;
let fn: Awaited<ReturnType<typeof startLambdaProcess>>;
const key = new SoftAuthenticator(ORIGIN);
let token = '';
let bobInvite = '';

async function call(method: string, path: string, body?: unknown, query?: Record<string, string>, authorization = token ? `Bearer ${token}` : '') {
  const result = await fn.invoke(
    restApiEvent({ sourceIp: CALLER, method, path, ...(query ? { query } : {}), ...(body !== undefined ? { body: JSON.stringify(body) } : {}), headers: authorization ? { Authorization: authorization } : {} }),
  );
  return { status: result.statusCode as number, body: JSON.parse(result.body) };
}

/** prepare → the touch → confirm, as the desktop does it. */
async function run(job: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const prepared = await call('POST', '/v1/runs/prepare', { job, params });
  expect(prepared.status, JSON.stringify(prepared.body)).toBe(200);
  const assertion = key.assert(prepared.body.options);
  const confirm = { intentId: prepared.body.intentId, assertion, ...extra };
  const confirmed = await call('POST', '/v1/runs/confirm', confirm);
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  return { run: confirmed.body.run, confirm };
}

/**
 * Issue 15 §3: the launch went through the job's own role — one AssumeRole by the verifier's own
 * credentials, for this person, run, job and fingerprint — and every later call to `service` for this
 * run was signed with that session's credentials (the fakes check the signature and the session token).
 */
function expectLaunchedAs(job: string, r: { id: string; fingerprint: string }, service: FakeService, operations: string[]) {
  const assumed = aws.callsTo('sts', 'AssumeRole').filter((c) => c.input['Tags.member.1.Value'] === r.id);
  expect(assumed.map((c) => c.input)).toEqual([
    {
      RoleArn: ROLES[job],
      RoleSessionName: `keylaunch-${r.id}`,
      SourceIdentity: 'ada',
      'Tags.member.1.Key': 'RunId',
      'Tags.member.1.Value': r.id,
      'Tags.member.2.Key': 'JobName',
      'Tags.member.2.Value': job,
      'Tags.member.3.Key': 'Fingerprint',
      'Tags.member.3.Value': r.fingerprint,
      DurationSeconds: '900',
    },
  ]);
  expect(assumed[0]!.as).toBeUndefined(); // assumed by the verifier's own role
  const session = { roleArn: ROLES[job], sourceIdentity: 'ada', tags: { RunId: r.id, JobName: job, Fingerprint: r.fingerprint } };
  const made = aws.callsTo(service).filter((c) => operations.includes(c.operation));
  expect(made.length).toBeGreaterThan(0);
  for (const c of made) expect(c.as, `${service}.${c.operation}`).toEqual(session);
}

/**
 * Following and stopping a run as the bundle's own launchers do: its awsLaunchers chunk, imported from
 * the task folder, with the function's environment (the same chunks the handler loads on first use).
 */
async function shippedLaunchers(): Promise<Record<string, import('../../backend/core/ports').Launcher>> {
  const chunk = readdirSync(join(TASK_ROOT, 'chunks')).filter((f) => /^awsLaunchers-.*\.mjs$/.test(f));
  expect(chunk).toHaveLength(1);
  const { awsLaunchers } = await import(join(TASK_ROOT, 'chunks', chunk[0]!));
  return awsLaunchers({ KEYLAUNCH_LAUNCH_ROLES: JSON.stringify(ROLES) }, REGION);
}

beforeAll(async () => {
  const stackEnv = await stackEnvironment();
  PREFIX = stackEnv.KEYLAUNCH_SSM_PREFIX!;
  ROLES = JSON.parse(stackEnv.KEYLAUNCH_LAUNCH_ROLES!);
  expect(Object.keys(ROLES).sort()).toEqual(['monthly-report', 'nightly-etl', 'patch-web', 'render-batch', 'rotate-keys', 'rotate-keys-pair']);
  const taskRoot = mkdtempSync(join(tmpdir(), 'kl-lambda-task-'));
  cpSync(await buildLambda(), taskRoot, { recursive: true });
  dynamo = await startLocalDynamo({ tableName: TABLE });
  aws = await startAwsFakes({ region: REGION, dynamodb: dynamo.endpoint, launchRoles: Object.fromEntries(Object.entries(ROLES).map(([job, arn]) => [arn, job])) });
  TASK_ROOT = taskRoot;
  const clientOf = <C>(Client: new (c: object) => C, endpoint: string) => new Client({ region: REGION, endpoint, credentials: FAKE_CREDENTIALS });
  // What deploy and an admin do before anyone can use the verifier: the catalog, the secret, an invite.
  const pushed = await pushJobs({ client: clientOf(SSMClient, aws.env.AWS_ENDPOINT_URL_SSM!), prefix: PREFIX, text: CATALOG_TEXT });
  expect(pushed.ok, pushed.lines.join('\n')).toBe(true);
  await clientOf(SecretsManagerClient, aws.env.AWS_ENDPOINT_URL_SECRETS_MANAGER!).send(new PutSecretValueCommand({ SecretId: SECRET_ARN, SecretString: randomBytes(48).toString('base64url').slice(0, 64) }));
  const store = createDynamoStore({ client: dynamo.documents, tableName: TABLE });
  const { code } = await createInvite({ store, clock: systemClock, random: systemRandom }, { userName: 'ada', role: 'admin', createdBy: 'setup', ttlHours: 1 });
  bobInvite = (await createInvite({ store, clock: systemClock, random: systemRandom }, { userName: 'bob', role: 'operator', createdBy: 'setup', ttlHours: 1 })).code;
  aws.calls.length = 0;

  fn = await startLambdaProcess({
    taskRoot,
    env: {
      ...aws.env,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      ...stackEnv,
    },
  });

  const enroll = await call('POST', '/v1/enroll/options', { inviteCode: code });
  expect(enroll.status, `${JSON.stringify(enroll.body)}\n${fn.output()}`).toBe(200);
  const enrolled = await call('POST', '/v1/enroll/verify', { intentId: enroll.body.intentId, registration: key.register(enroll.body.options), label: 'yubikey' });
  expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(200);
  const unlock = await call('POST', '/v1/unlock/options', { userName: 'ada' });
  const unlocked = await call('POST', '/v1/unlock/verify', { intentId: unlock.body.intentId, assertion: key.assert(unlock.body.options) });
  expect(unlocked.status, JSON.stringify(unlocked.body)).toBe(200);
  token = unlocked.body.session.token;
}, 120_000);

afterAll(async () => {
  await fn?.close();
  await aws?.close();
  await dynamo?.close();
});

describe('the Lambda bundle as deploy ships it', () => {
  it('starts by reading only the session secret, and unlocking reads no catalog (the first audit entry is signed with the stack\'s KMS key)', () => {
    expect(aws.calls.filter((c) => c.service !== 'dynamodb' && c.service !== 'sns').map((c) => `${c.service}.${c.operation}`)).toEqual(['secretsmanager.GetSecretValue', 'kms.Sign']);
    // Issue 16 §3: ada's first key was told to the stack's topic, by the verifier's own role.
    expect(aws.callsTo('sns').map((c) => [c.operation, c.input.TopicArn, JSON.parse(c.input.Message).type, c.as])).toEqual([['Publish', TOPIC_ARN, 'key.added', undefined]]);
    expect(aws.callsTo('kms', 'Sign')[0]!.input).toMatchObject({ KeyId: AUDIT_KEY_ID, SigningAlgorithm: 'ECDSA_SHA_256', MessageType: 'RAW' });
    expect(aws.callsTo('dynamodb').length).toBeGreaterThan(0); // signed by the small client, checked, then answered by dynalite
    expect(aws.callsTo('secretsmanager')[0]!.input).toEqual({ SecretId: SECRET_ARN });
  });

  it('lists the example catalog from SSM, every job available', async () => {
    const jobs = await call('GET', '/v1/jobs');
    expect(jobs.status).toBe(200);
    expect(jobs.body.jobs.map((j: { name: string; available: boolean }) => `${j.name}:${j.available}`).sort()).toEqual(
      ['monthly-report:true', 'nightly-etl:true', 'patch-web:true', 'render-batch:true', 'rotate-keys-pair:true', 'rotate-keys:true'],
    );
    expect(aws.callsTo('ssm', 'GetParametersByPath')[0]!.input).toMatchObject({ Path: `${PREFIX}/jobs/`, Recursive: true });
  });

  it('launches a Lambda job: an asynchronous Invoke of the qualified function, the MFA code in the event only', async () => {
    const { run: r } = await run('rotate-keys', { service: 'billing' }, { mfaCode: '123456' });
    expect(r.status).toBe('accepted');
    launched['rotate-keys'] = r;
    expectLaunchedAs('rotate-keys', r, 'lambda', ['Invoke']);
    expect(aws.callsTo('lambda', 'Invoke').map((c) => c.input)).toEqual([
      {
        functionName: 'rotate-keys',
        qualifier: 'live',
        invocationType: 'Event',
        payload: { job: 'rotate-keys', runId: r.id, params: { service: 'billing' }, requestedBy: 'ada', execution: { parameter: `${PREFIX}/jobs/rotate-keys/execution`, version: '1' }, mfaCode: '123456' },
      },
    ]);
    expect(JSON.stringify(r)).not.toContain('123456');
  });

  it('launches an EC2 spot instance from the launch template after the price check', async () => {
    const { run: r } = await run('render-batch', { batch: 'frames-0042' });
    expect(r.status, JSON.stringify(r)).toBe('running');
    launched['render-batch'] = r;
    expectLaunchedAs('render-batch', r, 'ec2', ['DescribeLaunchTemplateVersions', 'DescribeAvailabilityZones', 'DescribeSpotPriceHistory', 'RunInstances']);
    expect(aws.callsTo('ec2').map((c) => c.operation)).toEqual(['DescribeLaunchTemplateVersions', 'DescribeAvailabilityZones', 'DescribeSpotPriceHistory', 'RunInstances']);
    const tag = (n: number, k: string, v: string) => ({ [`TagSpecification.${n}.Tag.1.Key`]: 'JobName', [`TagSpecification.${n}.Tag.1.Value`]: 'render-batch', [`TagSpecification.${n}.Tag.2.Key`]: 'RunId', [`TagSpecification.${n}.Tag.2.Value`]: r.id, [`TagSpecification.${n}.Tag.3.Key`]: 'RequestedBy', [`TagSpecification.${n}.Tag.3.Value`]: 'ada', [`TagSpecification.${n}.${k}`]: v });
    expect(aws.callsTo('ec2', 'RunInstances')[0]!.input).toEqual({
      'LaunchTemplate.LaunchTemplateId': 'lt-0123456789abcdef0',
      'LaunchTemplate.Version': '$Default',
      MinCount: '1',
      MaxCount: '1',
      ClientToken: r.id,
      ...tag(1, 'ResourceType', 'instance'),
      ...tag(2, 'ResourceType', 'volume'),
      'MetadataOptions.InstanceMetadataTags': 'enabled',
      'MetadataOptions.HttpTokens': 'required',
      'InstanceMarketOptions.MarketType': 'spot',
      'InstanceMarketOptions.SpotOptions.SpotInstanceType': 'one-time',
      'InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior': 'terminate',
    });
    expect(r.launch).toMatchObject({ instanceId: 'i-0123456789abcdef0', market: 'spot', spotPriceSeen: '0.21' });
    // The status refresh asks EC2 again, through the same lazily loaded client.
    const refreshed = await call('GET', `/v1/runs/${r.id}`);
    expect(refreshed.body.run.launch.instanceState).toBe('running');
  });

  it('refuses an EC2 launch while the spot price is above the job maximum, and records the failed run', async () => {
    aws.answer('ec2', 'DescribeSpotPriceHistory', () => `<spotPriceHistorySet><item><instanceType>g4dn.xlarge</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>0.9500</spotPrice><timestamp>${new Date().toISOString()}</timestamp><availabilityZone>eu-west-1a</availabilityZone></item></spotPriceHistorySet>`);
    const before = aws.callsTo('ec2', 'RunInstances').length;
    const { run: r } = await run('render-batch', { batch: 'frames-0043' });
    expect(r.status).toBe('failed');
    expect(r.failure.code).toBe('spot_price_too_high');
    expect(aws.callsTo('ec2', 'RunInstances')).toHaveLength(before);
  });

  it('sends an SSM command with the document, targets and parameters filled in, quoted for its shell', async () => {
    const { run: r } = await run('patch-web', { window: 'tonight' });
    expect(r.status).toBe('running');
    launched['patch-web'] = r;
    expectLaunchedAs('patch-web', r, 'ssm', ['SendCommand']);
    expect(aws.callsTo('ssm', 'SendCommand').map((c) => c.input)).toEqual([
      {
        DocumentName: 'AWS-RunShellScript',
        Targets: [{ Key: 'tag:Role', Values: ['web'] }],
        Parameters: { commands: ["sudo /opt/patch.sh --window 'tonight'"] }, // quoted for the shell that runs it
        TimeoutSeconds: 1800,
        CloudWatchOutputConfig: { CloudWatchLogGroupName: '/keylaunch/patch-web', CloudWatchOutputEnabled: true },
        Comment: `keylaunch patch-web ${r.id} by ada`.slice(0, 100),
      },
    ]);
  });

  it('runs an ECS Fargate task with the run facts in its environment', async () => {
    const { run: r } = await run('monthly-report', { month: '2026-10' });
    expect(r.status).toBe('running');
    launched['monthly-report'] = r;
    expectLaunchedAs('monthly-report', r, 'ecs', ['RunTask', 'DescribeTaskDefinition']);
    expect(r.launch).toMatchObject({ logGroup: '/ecs/monthly-report', logStream: 'report/report/0123456789abcdef0123456789abcdef', launchRole: ROLES['monthly-report'], launchedBy: 'ada' });
    expect(aws.callsTo('ecs', 'RunTask').map((c) => c.input)).toEqual([
      {
        cluster: 'jobs',
        taskDefinition: 'monthly-report:12',
        launchType: 'FARGATE',
        count: 1,
        clientToken: r.id,
        startedBy: 'keylaunch',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d4e5f67890'], securityGroups: ['sg-0a1b2c3d4e5f67890'], assignPublicIp: 'DISABLED' } },
        overrides: {
          containerOverrides: [
            {
              name: 'report',
              environment: [
                { name: 'JOB_NAME', value: 'monthly-report' },
                { name: 'RUN_ID', value: r.id },
                { name: 'REQUESTED_BY', value: 'ada' },
                { name: 'KEYLAUNCH_EXECUTION_PARAMETER', value: `${PREFIX}/jobs/monthly-report/execution` },
                { name: 'KEYLAUNCH_EXECUTION_VERSION', value: '1' },
                { name: 'KEYLAUNCH_PARAMS', value: '{"month":"2026-10"}' },
              ],
            },
          ],
        },
        tags: [
          { key: 'JobName', value: 'monthly-report' },
          { key: 'RunId', value: r.id },
          { key: 'RequestedBy', value: 'ada' },
        ],
      },
    ]);
  });

  it('starts a Step Functions execution named after the run', async () => {
    const { run: r, confirm } = await run('nightly-etl', { date: '2026-11-21' });
    expect(r.status).toBe('running');
    launched['nightly-etl'] = r;
    expectLaunchedAs('nightly-etl', r, 'sfn', ['StartExecution']);
    const [start] = aws.callsTo('sfn', 'StartExecution');
    expect(start!.input).toEqual({ stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly-etl', name: r.id, input: expect.any(String) });
    expect(JSON.parse(start!.input.input)).toEqual({ job: 'nightly-etl', runId: r.id, params: { date: '2026-11-21' }, requestedBy: 'ada', execution: null });

    // A replayed confirmation launches nothing more.
    const launchesBefore = aws.calls.length;
    const replay = await call('POST', '/v1/runs/confirm', confirm);
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('challenge_used');
    expect(aws.calls.slice(launchesBefore).filter((c) => c.operation === 'StartExecution')).toEqual([]);
  });

  it('records an AWS refusal as a failed run, and logs the cause for CloudWatch', async () => {
    aws.answer('ecs', 'RunTask', () => new AwsFault('AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/verifier is not authorized to perform: ecs:RunTask'));
    const { run: r } = await run('monthly-report', { month: '2026-09' });
    expect(r.status).toBe('failed');
    expect(r.failure.code).toBe('access_denied');
    expect(fn.output()).toContain('AccessDeniedException');
  });

  it('keeps a hash-chained audit log whose signed heads verify with the KMS key\'s public key', async () => {
    const chain = await createDynamoStore({ client: dynamo.documents, tableName: TABLE }).auditChain.readAuditChain();
    expect(chain.entries.length).toBeGreaterThan(3);
    expect(chain.signatures.length).toBeGreaterThan(0);
    const report = verifyAudit(chain, AUDIT_KMS_KEY.publicKey);
    expect(report.ok, JSON.stringify(report.firstBreak)).toBe(true);
    expect(report.lastSignedSeq).toBeGreaterThanOrEqual(1);
  });

  it('judges the platform source address, never X-Forwarded-For; the refusal stores nothing and logs a metric', async () => {
    const audited = async () => (await createDynamoStore({ client: dynamo.documents, tableName: TABLE }).listAudit({ limit: 100 })).items.length;
    const before = await audited();
    const outside = await fn.invoke(restApiEvent({ sourceIp: '198.51.100.7', body: '{"userName":"ada"}', headers: { 'X-Forwarded-For': CALLER } }));
    expect(outside.statusCode).toBe(403);
    expect(JSON.parse(outside.body).error.code).toBe('ip_not_allowed');
    expect(await audited()).toBe(before);
    // One EMF line on stdout: CloudWatch Logs turns it into the keylaunch/Refused metric.
    const emf = fn.output().split('\n').filter((l) => l.startsWith('{"_aws"')).map((l) => JSON.parse(l));
    expect(emf.at(-1)).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'keylaunch', Metrics: [{ Name: 'Refused', Unit: 'Count' }] }] }, code: 'ip_not_allowed', Refused: 1, sourceIp: '198.51.100.7' });
  });

  it('decodes base64 bodies, and answers oversized bodies and unrecognized events with 4xx', async () => {
    const b64 = await fn.invoke(restApiEvent({ sourceIp: CALLER, body: Buffer.from('{"userName":"ada"}').toString('base64'), base64: true }));
    expect(b64.statusCode).toBe(200);
    const big = await fn.invoke(restApiEvent({ sourceIp: CALLER, body: Buffer.alloc(100_000, 'a').toString('base64'), base64: true }));
    expect(big.statusCode).toBe(413);
    for (const junk of [{ hello: 'world' }, null, 'text', { httpMethod: 'GET', path: '/v1/jobs', requestContext: {} }]) {
      const answer = await fn.invoke(junk);
      expect(answer.statusCode).toBe(400);
      expect(JSON.parse(answer.body).error.code).toBe('bad_request');
    }
  });

  it('tells the stack’s topic of each run launched or failed, and of a request waiting and the run its last approval launched (issue 16 §3)', async () => {
    const told = () => aws.callsTo('sns', 'Publish').map((c) => ({ topic: c.input.TopicArn, as: c.as, event: JSON.parse(c.input.Message) }));
    expect(told().every((t) => t.topic === TOPIC_ARN && t.as === undefined)).toBe(true);
    const runs = told().filter((t) => t.event.type.startsWith('run.')).map((t) => `${t.event.type} ${t.event.job} ${t.event.code ?? ''}`.trim());
    expect(runs).toEqual(['run.launched rotate-keys', 'run.launched render-batch', 'run.failed render-batch spot_price_too_high', 'run.launched patch-web', 'run.launched monthly-report', 'run.launched nightly-etl', 'run.failed monthly-report access_denied']);
    const r = launched['nightly-etl'];
    expect(told().find((t) => t.event.runId === r.id)!.event).toEqual({ v: 1, id: expect.stringMatching(/^evt_/), at: expect.any(String), type: 'run.launched', job: 'nightly-etl', runId: r.id, fingerprint: r.fingerprint, requester: 'ada' });

    // A second person, then a request that waits for them.
    const bob = new SoftAuthenticator(ORIGIN);
    const enroll = await call('POST', '/v1/enroll/options', { inviteCode: bobInvite }, undefined, '');
    expect((await call('POST', '/v1/enroll/verify', { intentId: enroll.body.intentId, registration: bob.register(enroll.body.options), label: 'bob-key' }, undefined, '')).status).toBe(200);
    const unlock = await call('POST', '/v1/unlock/options', { userName: 'bob' }, undefined, '');
    const bobToken = (await call('POST', '/v1/unlock/verify', { intentId: unlock.body.intentId, assertion: bob.assert(unlock.body.options) }, undefined, '')).body.session.token as string;
    const before = told().length;
    const prepared = await call('POST', '/v1/runs/prepare', { job: 'rotate-keys-pair', params: { service: 'search' } });
    const opened = await call('POST', '/v1/runs/confirm', { intentId: prepared.body.intentId, assertion: key.assert(prepared.body.options), secrets: {} });
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    const request = opened.body.request;
    expect(told().slice(before).map((t) => t.event)).toEqual([
      { v: 1, id: expect.stringMatching(/^evt_/), at: expect.any(String), type: 'request.waiting', job: 'rotate-keys-pair', requestId: request.id, fingerprint: request.fingerprint, requester: 'ada' },
    ]);
    const options = await call('POST', `/v1/requests/${request.id}/approve/options`, {}, undefined, `Bearer ${bobToken}`);
    const approved = await call('POST', `/v1/requests/${request.id}/approve/verify`, { intentId: options.body.intentId, assertion: bob.assert(options.body.options) }, undefined, `Bearer ${bobToken}`);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const run = approved.body.run;
    expect(run.status).toBe('accepted');
    expect(aws.callsTo('lambda', 'Invoke').at(-1)!.input.payload).toMatchObject({ job: 'rotate-keys-pair', runId: run.id, params: { service: 'search' } });
    expect(told().slice(before + 1).map((t) => t.event)).toEqual([
      { v: 1, id: expect.stringMatching(/^evt_/), at: expect.any(String), type: 'run.launched', job: 'rotate-keys-pair', runId: run.id, requestId: request.id, fingerprint: request.fingerprint, requester: 'ada' },
    ]);
    // No parameter value, no token, no link in anything told.
    const everything = JSON.stringify(aws.callsTo('sns').map(({ input: { TopicArn: _, ...told } }) => told));
    for (const value of ['search', 'billing', 'frames-0042', '2026-10', '123456', token, bobToken]) expect(everything).not.toContain(value);
  });

  it('every request reached a stand-in that could answer it, signed as AWS requires', () => {
    expect(aws.problems).toEqual([]);
    expect(fn.output()).not.toMatch(/TypeError|is not a constructor|Cannot read properties/);
  });
});

describe('following and stopping each AWS job type as its launch role (issues 12 §3–4, 15 §3)', () => {
  let saved: NodeJS.ProcessEnv;
  let launchers: Awaited<ReturnType<typeof shippedLaunchers>>;
  beforeAll(async () => {
    // The shipped chunks' SDK clients read the endpoints and base credentials as Lambda gives them.
    saved = { ...process.env };
    Object.assign(process.env, aws.env, { AWS_REGION: REGION, AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    launchers = await shippedLaunchers();
  });
  afterAll(() => {
    process.env = saved;
  });
  const since = () => aws.calls.length;
  const callsAfter = (n: number, service: FakeService) => aws.calls.slice(n).filter((c) => c.service === service);
  const session = (job: string, r: any, who = 'ada', fingerprint = r.fingerprint) => ({ roleArn: ROLES[job], sourceIdentity: who, tags: { RunId: r.id, JobName: job, Fingerprint: fingerprint } });
  const cancelAs = { cancelledBy: 'ada', fingerprint: 'CNCL-0001' };

  it('lambda: the run page asks CloudWatch Logs as the job’s role; output from START to REPORT; no cancel', async () => {
    const r = launched['rotate-keys'];
    const requestId = r.launch.requestId as string;
    const stream = '2026/11/22/[live]0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    aws.answer('logs', 'FilterLogEvents', (i) => ({ events: String(i.filterPattern).includes('START') ? [{ logStreamName: stream, timestamp: r.launch.launchedAt + 10, message: `START RequestId: ${requestId} Version: 7\n`, eventId: '1' }] : [] }));
    aws.answer('logs', 'GetLogEvents', () => ({ events: [{ timestamp: r.launch.launchedAt + 10, message: `START RequestId: ${requestId} Version: 7\n` }, { timestamp: r.launch.launchedAt + 11, message: 'rotated billing keys\n' }, { timestamp: r.launch.launchedAt + 12, message: `END RequestId: ${requestId}\n` }, { timestamp: r.launch.launchedAt + 12, message: `REPORT RequestId: ${requestId}\tDuration: 41.2 ms\n` }], nextForwardToken: 'f/4' }));
    const n = since();
    const refreshed = await call('GET', `/v1/runs/${r.id}`);
    expect(refreshed.body.run.status, JSON.stringify(aws.calls.slice(n).filter((c) => c.service !== 'dynamodb')) + fn.output().slice(-2000)).toBe('running');
    const page = await launchers.lambda!.output!(r.launch, { runId: r.id, limit: 100 });
    expect(page.lines.map((l) => l.text)).toEqual([`START RequestId: ${requestId} Version: 7`, 'rotated billing keys', `END RequestId: ${requestId}`, `REPORT RequestId: ${requestId}\tDuration: 41.2 ms`]);
    expect(page.done).toBe(true);
    const logCalls = callsAfter(n, 'logs');
    expect(logCalls.map((c) => c.operation)).toEqual(['FilterLogEvents', 'FilterLogEvents', 'FilterLogEvents', 'GetLogEvents']);
    expect(logCalls[0]!.input).toEqual({ logGroupName: '/aws/lambda/rotate-keys', filterPattern: `"START RequestId: ${requestId}"`, startTime: r.launch.launchedAt - 60_000, limit: 1 });
    for (const c of logCalls) expect(c.as).toEqual(session('rotate-keys', r));
    expect(launchers.lambda!.cancel).toBeUndefined();
  });

  it('ec2: state as event lines, then TerminateInstances, each as the job’s role (the canceller’s session)', async () => {
    const r = launched['render-batch'];
    const n = since();
    const page = await launchers.ec2!.output!(r.launch, { runId: r.id, limit: 10 });
    expect(page.lines.map((l) => l.text)).toEqual(['Instance i-0123456789abcdef0 is running.']);
    await launchers.ec2!.cancel!(r.launch, { runId: r.id, ...cancelAs });
    const calls = callsAfter(n, 'ec2');
    expect(calls.map((c) => [c.operation, c.input])).toEqual([['DescribeInstances', { 'InstanceId.1': 'i-0123456789abcdef0' }], ['TerminateInstances', { 'InstanceId.1': 'i-0123456789abcdef0' }]]);
    expect(calls[0]!.as).toEqual(session('render-batch', r));
    expect(calls[1]!.as).toEqual(session('render-batch', r, 'ada', 'CNCL-0001'));
  });

  it('ssm: the run page asks ListCommands, output from the job’s log group, CancelCommand — as the job’s role', async () => {
    const r = launched['patch-web'];
    const id = r.launch.commandId as string;
    aws.answer('logs', 'FilterLogEvents', () => ({ events: [{ eventId: 'e1', timestamp: r.launch.launchedAt + 5, logStreamName: `${id}/i-0123456789abcdef0/aws-runShellScript/stdout`, message: 'patched 12 packages' }] }));
    const n = since();
    expect((await call('GET', `/v1/runs/${r.id}`)).body.run.launch.commandStatus).toBe('InProgress');
    const page = await launchers['ssm-command']!.output!(r.launch, { runId: r.id, limit: 10 });
    expect(page.lines.map((l) => [l.stream, l.text])).toEqual([['stdout', 'patched 12 packages']]);
    await launchers['ssm-command']!.cancel!(r.launch, { runId: r.id, ...cancelAs });
    const calls = aws.calls.slice(n).filter((c) => c.service === 'ssm' || c.service === 'logs');
    expect(calls.map((c) => `${c.service}.${c.operation}`)).toEqual(['ssm.ListCommands', 'logs.FilterLogEvents', 'ssm.CancelCommand']);
    expect(calls[1]!.input).toEqual({ logGroupName: '/keylaunch/patch-web', logStreamNamePrefix: `${id}/`, startTime: r.launch.launchedAt - 60_000, limit: 10 });
    expect(calls[2]!.input).toEqual({ CommandId: id });
    expect(calls.map((c) => c.as)).toEqual([session('patch-web', r), session('patch-web', r), session('patch-web', r, 'ada', 'CNCL-0001')]);
  });

  it('ecs: the run page asks DescribeTasks, output from the container’s stream, StopTask naming who — as the job’s role', async () => {
    const r = launched['monthly-report'];
    aws.answer('logs', 'GetLogEvents', () => ({ events: [{ timestamp: 1, message: 'report for 2026-10\n' }], nextForwardToken: 'f/1' }));
    const n = since();
    expect((await call('GET', `/v1/runs/${r.id}`)).body.run.launch.lastStatus).toBe('RUNNING');
    const page = await launchers['ecs-task']!.output!(r.launch, { runId: r.id, limit: 10 });
    expect(page.lines.map((l) => l.text)).toEqual(['report for 2026-10']);
    await launchers['ecs-task']!.cancel!(r.launch, { runId: r.id, ...cancelAs });
    const calls = aws.calls.slice(n).filter((c) => c.service === 'ecs' || c.service === 'logs');
    expect(calls.map((c) => `${c.service}.${c.operation}`)).toEqual(['ecs.DescribeTasks', 'logs.GetLogEvents', 'ecs.StopTask']);
    expect(calls[1]!.input).toEqual({ logGroupName: '/ecs/monthly-report', logStreamName: 'report/report/0123456789abcdef0123456789abcdef', startFromHead: true, limit: 10 });
    expect(calls[2]!.input).toEqual({ cluster: 'jobs', task: r.launch.taskArn, reason: 'Cancelled in keylaunch by ada' });
    expect(calls.map((c) => c.as)).toEqual([session('monthly-report', r), session('monthly-report', r), session('monthly-report', r, 'ada', 'CNCL-0001')]);
  });

  it('step functions: the run page asks DescribeExecution, history as event lines, StopExecution — as the job’s role', async () => {
    const r = launched['nightly-etl'];
    const n = since();
    expect((await call('GET', `/v1/runs/${r.id}`)).body.run.launch.executionStatus).toBe('RUNNING');
    const page = await launchers['step-functions']!.output!(r.launch, { runId: r.id, limit: 10 });
    expect(page.lines.map((l) => l.text)).toEqual(['ExecutionStarted', 'TaskStateEntered Extract']);
    await launchers['step-functions']!.cancel!(r.launch, { runId: r.id, ...cancelAs });
    const calls = callsAfter(n, 'sfn');
    expect(calls.map((c) => c.operation)).toEqual(['DescribeExecution', 'GetExecutionHistory', 'StopExecution']);
    expect(calls[2]!.input).toEqual({ executionArn: r.launch.executionArn, error: 'keylaunch.Cancelled', cause: 'Cancelled in keylaunch by ada' });
    expect(calls.map((c) => c.as)).toEqual([session('nightly-etl', r), session('nightly-etl', r), session('nightly-etl', r, 'ada', 'CNCL-0001')]);
  });

  it('nothing reached a job’s service as the verifier’s own role, and every session was one the trust policy allowed', () => {
    const jobCalls = aws.calls.filter((c) => ['lambda', 'ec2', 'ecs', 'sfn', 'logs'].includes(c.service) || (c.service === 'ssm' && !/Parameter/.test(c.operation)));
    expect(jobCalls.length).toBeGreaterThan(20);
    expect(jobCalls.filter((c) => !c.as).map((c) => `${c.service}.${c.operation}`)).toEqual([]);
    expect(aws.callsTo('sts').every((c) => !c.as)).toBe(true);
    expect(aws.problems).toEqual([]);
  });
});

/**
 * The routes api/routes.ts loads on first use (administration, cancel, output, approve/reject,
 * proposals) are chunks of their own in the bundle: each is called here through the handler as shipped,
 * so a chunk that fails to load or lacks an export fails here, not in someone's first admin action.
 */
describe('the rare routes, each loaded from its own chunk of the bundle', () => {
  it('the build split them off the start path', () => {
    const chunks = readdirSync(join(TASK_ROOT, 'chunks'));
    for (const name of ['admin', 'cancel', 'runOutput', 'decisions', 'proposals']) expect(chunks.filter((f) => f.startsWith(`${name}-`) && f.endsWith('.mjs')), name).toHaveLength(1);
  });

  it('administration: the people list for an admin', async () => {
    const people = await call('GET', '/v1/admin/people');
    expect(people.status, JSON.stringify(people.body)).toBe(200);
    expect(people.body.people).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'ada', role: 'admin' })]));
  });

  it('output and cancel through their routes: a Step Functions run followed, then stopped with a touch', async () => {
    const { run: r } = await run('nightly-etl', { date: '2026-11-22' });
    const output = await call('GET', `/v1/runs/${r.id}/output`, undefined, { limit: '10' });
    expect(output.status, JSON.stringify(output.body)).toBe(200);
    expect(output.body.lines.map((l: { text: string }) => l.text)).toEqual(['ExecutionStarted', 'TaskStateEntered Extract']);
    const options = await call('POST', `/v1/runs/${r.id}/cancel/options`, { runId: r.id });
    expect(options.status, JSON.stringify(options.body)).toBe(200);
    const n = aws.calls.length;
    const cancelled = await call('POST', `/v1/runs/${r.id}/cancel/verify`, { runId: r.id, intentId: options.body.intentId, assertion: key.assert(options.body.options) });
    expect(cancelled.status, JSON.stringify(cancelled.body) + fn.output().slice(-1500)).toBe(200);
    expect(cancelled.body.run.status).toBe('cancelled');
    const stops = aws.calls.slice(n).filter((c) => c.service === 'sfn' && c.operation === 'StopExecution');
    expect(stops.map((c) => c.input)).toEqual([{ executionArn: r.launch.executionArn, error: 'keylaunch.Cancelled', cause: 'Cancelled in keylaunch by ada' }]);
  });

  it('a proposal from a proposer token, approved with a touch, launches once; the proposer sees the run', async () => {
    const store = createDynamoStore({ client: dynamo.documents, tableName: TABLE });
    const { token: proposerToken } = await issueProposer({ store, clock: systemClock, random: systemRandom }, { name: 'etl-bot', jobs: ['nightly-etl'], ttlHours: 1, createdBy: 'setup' });
    const asProposer = `Proposer ${proposerToken}`;
    const proposed = await call('POST', '/v1/proposals', { job: 'nightly-etl', params: { date: '2026-11-21' }, reason: 'yesterday failed' }, undefined, asProposer);
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(200);
    const requestId = proposed.body.request.id as string;
    const waiting = await call('GET', '/v1/requests');
    expect(waiting.body.waiting.map((q: { id: string }) => q.id)).toContain(requestId);
    const options = await call('POST', `/v1/requests/${requestId}/approve/options`, { requestId });
    expect(options.status, JSON.stringify(options.body)).toBe(200);
    expect(options.body.fingerprint).toBe(proposed.body.request.fingerprint);
    const n = aws.calls.length;
    const approved = await call('POST', `/v1/requests/${requestId}/approve/verify`, { requestId, intentId: options.body.intentId, assertion: key.assert(options.body.options) });
    expect(approved.status, JSON.stringify(approved.body) + fn.output().slice(-1500)).toBe(200);
    const started = aws.calls.slice(n).filter((c) => c.service === 'sfn' && c.operation === 'StartExecution');
    expect(started, JSON.stringify(approved.body.run.failure)).toHaveLength(1);
    // Launched as the person whose touch did it: a proposer is no SourceIdentity (nor a person).
    expect(started[0]!.as).toMatchObject({ sourceIdentity: 'ada', tags: { RunId: approved.body.run.id, JobName: 'nightly-etl' } });
    const seen = await call('GET', `/v1/proposals/${requestId}`, undefined, undefined, asProposer);
    expect(seen.status, JSON.stringify(seen.body)).toBe(200);
    expect(seen.body.request.status).toBe('launched');
    expect(seen.body.run).toMatchObject({ id: approved.body.run.id, status: 'running' });
    // The token reaches nothing else: not the run itself, not the job list.
    expect((await call('GET', `/v1/runs/${seen.body.run.id}`, undefined, undefined, asProposer)).status).toBe(401);
  });
});
