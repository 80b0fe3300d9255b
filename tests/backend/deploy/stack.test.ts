import { beforeAll, describe, expect, it } from 'vitest';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AUDIT_PARTITIONS, TTL_ATTRIBUTE } from '../../../backend/deploy/stack';
import { jobDefinitionSchema, type JobDefinition } from '../../../backend/core/job';
import { loadCatalog } from '../../../backend/deploy/loadCatalog';
import { ACCOUNT, REGION, roleStatements, synth, type Statement } from './synth';

/** The deploy, synthesized offline: resources, their settings, and every IAM statement. */
const allow = { roles: ['admin'] };
const jobs: JobDefinition[] = [
  { name: 'rotate', title: 'Rotate', type: 'lambda', allow, target: { functionName: 'rotate-keys', qualifier: 'live' } },
  { name: 'render', title: 'Render', type: 'ec2', allow, target: { launchTemplate: { id: 'lt-0123456789abcdef0' }, maxSpotPrice: '0.5', instanceRoleArn: `arn:aws:iam::${ACCOUNT}:role/render-node` } },
  { name: 'patch', title: 'Patch', type: 'ssm-command', allow, target: { documentName: 'AWS-RunShellScript', targets: [{ key: 'tag:Role', values: ['web'] }], cloudWatchLogGroup: '/keylaunch/patch' } },
  { name: 'restart', title: 'Restart', type: 'ssm-command', allow, target: { documentName: 'RestartApp', instanceIds: ['i-0123456789abcdef0'] } },
  { name: 'report', title: 'Report', type: 'ecs-task', allow, target: { cluster: 'jobs', taskDefinition: 'report:12', containerName: 'app', subnets: ['subnet-0a1b2c3d'], taskRoleArns: [`arn:aws:iam::${ACCOUNT}:role/report`], logGroup: '/ecs/report' } },
  { name: 'etl', title: 'ETL', type: 'step-functions', allow, target: { stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:nightly` } },
].map((j) => jobDefinitionSchema.parse(j));

let template: Template;
let statements: Statement[];
beforeAll(() => {
  template = synth({}, jobs);
  statements = roleStatements(template);
});

const actionsOf = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: { Resource: unknown }) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
const statement = (sid: string) => {
  const s = statements.find((x) => x.Sid === sid);
  if (!s) throw new Error(`no statement ${sid}; have ${statements.map((x) => x.Sid).join(', ')}`);
  return s;
};

describe('resources', () => {
  it('a DynamoDB table: on demand, point-in-time recovery, TTL, deletion protection, kept on destroy', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        DeletionProtectionEnabled: true,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('the verifier: Node.js 22 on arm64, with reserved concurrency, its table, catalog, secret and config', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      ReservedConcurrentExecutions: 10,
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({
          KEYLAUNCH_SSM_PREFIX: '/keylaunch',
          KEYLAUNCH_SESSION_SECRET_ARN: Match.anyValue(),
          KEYLAUNCH_TABLE: Match.anyValue(),
          KEYLAUNCH_CONFIG: Match.anyValue(), // its value: edge.test.ts
        }),
      },
    });
  });

  it('a session secret generated at deploy, and logs kept for a year', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }) });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('outputs the verifier URL and the table name for the post-deploy steps', () => {
    template.hasOutput('VerifierUrl', {});
    template.hasOutput('TableName', {});
  });
});

/** A job's launch role: its trust policy and its own statements (inline, nothing else attached). */
function jobRole(job: string) {
  const found = Object.entries(template.findResources('AWS::IAM::Role')).filter(([, r]) => (r as any).Properties.AssumeRolePolicyDocument.Statement.some((s: any) => s.Condition?.StringEquals?.['aws:RequestTag/JobName'] === job));
  if (found.length !== 1) throw new Error(`expected one launch role for ${job}, found ${found.length}`);
  const [id, role] = found[0]! as [string, any];
  const policies = role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
  return { id, trust: role.Properties.AssumeRolePolicyDocument, statements: policies.flatMap((p) => p.PolicyDocument.Statement), role: role.Properties };
}
const launchRoles = ['rotate', 'render', 'patch', 'restart', 'report', 'etl'];
const sidIn = (list: Statement[], sid: string) => {
  const s = list.find((x) => x.Sid === sid);
  if (!s) throw new Error(`no statement ${sid}; have ${list.map((x) => x.Sid).join(', ')}`);
  return s;
};

describe('the verifier role launches nothing itself (issue 15 §3)', () => {
  it('it may only assume the jobs’ launch roles, with tags and a source identity: no service permission of any job', () => {
    const verifier = statements.filter((s) => s.Sid !== undefined);
    expect(verifier.map((s) => s.Sid)).toEqual(['WriteOwnLogs', 'UseOwnTable', 'AuditIsAppendOnly', 'SignAuditHead', 'ReadSessionSecret', 'ReadJobCatalog', 'AssumeJobLaunchRoles']);
    const assume = statement('AssumeJobLaunchRoles');
    expect(assume.Action).toEqual(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']);
    expect(resourcesOf(assume).map((r: any) => r['Fn::GetAtt'][0]).sort()).toEqual(launchRoles.map((j) => jobRole(j).id).sort());
    const services = verifier.flatMap(actionsOf).filter((a) => !/^(logs:CreateLogStream|logs:PutLogEvents|dynamodb:|secretsmanager:GetSecretValue|ssm:GetParameters|sts:|kms:Sign$)/.test(a));
    expect(services).toEqual([]);
  });

  it('no launch role without AWS jobs, and no assume statement', () => {
    const local = jobDefinitionSchema.parse({ name: 'hello', title: 'Hello', type: 'local', allow, target: { argv: ['/bin/echo', 'hi'] } });
    const t = synth({}, [local]);
    expect(Object.keys(t.findResources('AWS::IAM::Role'))).toHaveLength(1);
    expect(roleStatements(t).map((s) => s.Sid)).not.toContain('AssumeJobLaunchRoles');
  });

  it('each job’s role: only the verifier’s role may assume it, with a source identity and exactly the run, job (its own) and fingerprint tags', () => {
    for (const job of launchRoles) {
      const { trust, role } = jobRole(job);
      expect(trust.Statement).toEqual([
        {
          Sid: 'OnlyTheVerifierForAPersonsApprovedRun',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^VerifierRole/), 'Arn'] } },
          Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
          Condition: {
            Null: { 'sts:SourceIdentity': 'false', 'aws:RequestTag/RunId': 'false', 'aws:RequestTag/Fingerprint': 'false' },
            StringEquals: { 'aws:RequestTag/JobName': job },
            'ForAllValues:StringEquals': { 'aws:TagKeys': ['RunId', 'JobName', 'Fingerprint'] },
          },
        },
      ]);
      expect(role.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('the function learns each job’s role from its environment', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: Match.anyValue(), Environment: Match.anyValue() } })).filter((f: any) => f.Properties.Environment.Variables.KEYLAUNCH_LAUNCH_ROLES) as any[];
    const joined = JSON.stringify(fn.Properties.Environment.Variables.KEYLAUNCH_LAUNCH_ROLES);
    for (const job of launchRoles) expect(joined).toContain(`\\"${job}\\":\\"",{"Fn::GetAtt":["${jobRole(job).id}","Arn"]}`);
  });
});

describe('least privilege from the catalog, one role per job', () => {
  const all = () => launchRoles.flatMap((j) => jobRole(j).statements).concat(statements);
  it('no statement has a wildcard action', () => {
    expect(all().flatMap(actionsOf).filter((a) => a.includes('*'))).toEqual([]);
  });

  it('a * resource only for calls AWS does not scope', () => {
    const starred = all().filter((s) => resourcesOf(s).includes('*'));
    expect([...new Set(starred.map((s) => s.Sid))].sort()).toEqual(['FollowAndCancelCommands', 'ReadSpotPricesAndInstances', 'ReadTaskDefinitionLogging']);
    for (const a of sidIn(jobRole('render').statements, 'ReadSpotPricesAndInstances').Action) expect(a).toMatch(/^ec2:Describe/);
    expect(sidIn(jobRole('patch').statements, 'FollowAndCancelCommands').Action).toEqual(['ssm:ListCommands', 'ssm:ListCommandInvocations', 'ssm:GetCommandInvocation', 'ssm:CancelCommand']);
    expect(sidIn(jobRole('report').statements, 'ReadTaskDefinitionLogging').Action).toBe('ecs:DescribeTaskDefinition');
  });

  it('KMS only to sign the audit head: kms:Sign, ECDSA_SHA_256, on the stack\'s own asymmetric key (no decryption: the catalog is read without it)', () => {
    expect(all().flatMap(actionsOf).filter((a) => a.startsWith('kms:'))).toEqual(['kms:Sign']);
    const keys = template.findResources('AWS::KMS::Key');
    expect(Object.values(keys).map((k: any) => [k.Properties.KeySpec, k.Properties.KeyUsage, k.DeletionPolicy])).toEqual([['ECC_NIST_P256', 'SIGN_VERIFY', 'Retain']]);
    expect(statement('SignAuditHead')).toEqual({
      Sid: 'SignAuditHead',
      Effect: 'Allow',
      Action: 'kms:Sign',
      Resource: { 'Fn::GetAtt': [Object.keys(keys)[0], 'Arn'] },
      Condition: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ KEYLAUNCH_AUDIT_KEY_ID: { Ref: Object.keys(keys)[0] } }) } });
  });

  it('no managed policies: every role is only its own statements', () => {
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    for (const r of Object.values(template.findResources('AWS::IAM::Role'))) expect((r as any).Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('the table, the secret, the log group and the catalog path only', () => {
    expect(statement('UseOwnTable').Action).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:Scan']);
    expect(JSON.stringify(statement('UseOwnTable').Resource)).toContain('Table');
    expect(JSON.stringify(statement('ReadSessionSecret').Resource)).toContain('SessionSecret');
    expect(JSON.stringify(statement('WriteOwnLogs').Resource)).toContain('VerifierLogs');
    expect(statement('ReadJobCatalog').Resource).toEqual([`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/keylaunch/jobs`, `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/keylaunch/jobs/*`]);
    expect(statements.filter((s) => s.Effect === 'Allow').flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'))).not.toContain('dynamodb:BatchWriteItem');
  });

  it('the audit log is append-only for the verifier: an explicit deny on updating or deleting under its partition keys', () => {
    expect(AUDIT_PARTITIONS).toEqual(['AUDIT*']);
    expect(statement('AuditIsAppendOnly')).toEqual({
      Sid: 'AuditIsAppendOnly',
      Effect: 'Deny',
      Action: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'],
      Resource: statement('UseOwnTable').Resource,
      Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': AUDIT_PARTITIONS } },
    });
    // Nothing that could write around the deny is allowed at all (transactions, batches, PartiQL).
    const allowed = statements.filter((s) => s.Effect === 'Allow').flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
    expect(allowed.filter((a) => /Transact|Batch|PartiQL|\*/.test(a))).toEqual([]);
  });

  it('lambda: InvokeFunction on its function only; FilterLogEvents/GetLogEvents on exactly its log group', () => {
    expect(jobRole('rotate').statements).toEqual([
      { Sid: 'InvokeJobFunction', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:rotate-keys:live` },
      { Sid: 'ReadJobFunctionLogs', Effect: 'Allow', Action: ['logs:FilterLogEvents', 'logs:GetLogEvents'], Resource: [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/rotate-keys`, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/rotate-keys:log-stream:*`] },
    ]);
  });

  it('ec2: RunInstances only with its launch template and the resources it names; CreateTags only on create; PassRole only for its role; Terminate only its own tagged instances', () => {
    const list = jobRole('render').statements;
    const lt = `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/lt-0123456789abcdef0`;
    const runs = list.filter((s) => actionsOf(s).includes('ec2:RunInstances'));
    expect(runs.map((s) => s.Sid)).toEqual(['RunInstancesFromJobTemplate', 'RunInstancesOnlyWithTemplateResources']);
    for (const s of runs) expect(s.Action).toBe('ec2:RunInstances');
    expect(sidIn(list, 'RunInstancesFromJobTemplate')).toMatchObject({ Resource: [lt, `arn:aws:ec2:${REGION}:${ACCOUNT}:spot-instances-request/*`], Condition: { ArnEquals: { 'ec2:LaunchTemplate': [lt] } } });
    const rest = sidIn(list, 'RunInstancesOnlyWithTemplateResources');
    expect(rest.Condition).toEqual({ ArnEquals: { 'ec2:LaunchTemplate': [lt] }, Bool: { 'ec2:IsLaunchTemplateResource': 'true' } });
    expect(resourcesOf(rest)).toEqual(expect.arrayContaining([`arn:aws:ec2:${REGION}::image/*`, `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/*`, `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/*`, `arn:aws:ec2:${REGION}:${ACCOUNT}:key-pair/*`, `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/*`]));
    expect(resourcesOf(rest)).not.toContain(lt);
    expect(sidIn(list, 'TagOnlyWhatRunInstancesCreates').Condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'RunInstances' } });
    expect(sidIn(list, 'PassInstanceRole')).toMatchObject({ Action: 'iam:PassRole', Resource: `arn:aws:iam::${ACCOUNT}:role/render-node`, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } });
    expect(sidIn(list, 'TerminateOnlyThisJobsInstances')).toEqual({ Sid: 'TerminateOnlyThisJobsInstances', Effect: 'Allow', Action: 'ec2:TerminateInstances', Resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`, Condition: { StringEquals: { 'ec2:ResourceTag/JobName': 'render' } } });
    expect(actionsOf(sidIn(list, 'ReadSpotPricesAndInstances'))).toContain('ec2:DescribeInstances');
  });

  it('ssm: SendCommand only for its document and targets; its own log group when it names one', () => {
    const patch = jobRole('patch').statements;
    expect(sidIn(patch, 'SendCommandDocument').Resource).toBe(`arn:aws:ssm:${REGION}::document/AWS-RunShellScript`);
    expect(sidIn(patch, 'SendCommandTaggedRole')).toMatchObject({ Resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`, Condition: { StringEquals: { 'ssm:resourceTag/Role': ['web'] } } });
    expect(sidIn(patch, 'ReadCommandLogs')).toMatchObject({ Action: ['logs:FilterLogEvents', 'logs:GetLogEvents'], Resource: [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/keylaunch/patch`, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/keylaunch/patch:log-stream:*`] });
    const restart = jobRole('restart').statements;
    expect(sidIn(restart, 'SendCommandDocument').Resource).toBe(`arn:aws:ssm:${REGION}:${ACCOUNT}:document/RestartApp`);
    expect(sidIn(restart, 'SendCommandInstances').Resource).toBe(`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`);
    expect(restart.map((s) => s.Sid)).not.toContain('ReadCommandLogs');
    // One job's role cannot send another job's document.
    expect(restart.flatMap(resourcesOf)).not.toContain(`arn:aws:ssm:${REGION}::document/AWS-RunShellScript`);
  });

  it('ecs: RunTask only for its task definition, in its cluster; describe and stop only its cluster’s tasks; PassRole for its roles; its log group', () => {
    const list = jobRole('report').statements;
    expect(sidIn(list, 'RunTask')).toMatchObject({ Action: 'ecs:RunTask', Resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/report:12`, Condition: { ArnEquals: { 'ecs:cluster': `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/jobs` } } });
    expect(sidIn(list, 'TagReadAndStopTasks')).toMatchObject({ Action: ['ecs:TagResource', 'ecs:DescribeTasks', 'ecs:StopTask'], Resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/jobs/*` });
    expect(sidIn(list, 'PassTaskRoles')).toMatchObject({ Resource: `arn:aws:iam::${ACCOUNT}:role/report`, Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } });
    expect(sidIn(list, 'ReadTaskLogs').Resource).toEqual([`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/report`, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/report:log-stream:*`]);
  });

  it('step functions: StartExecution on its state machine; describe, history and stop on its executions only', () => {
    expect(jobRole('etl').statements).toEqual([
      { Sid: 'StartJobExecution', Effect: 'Allow', Action: 'states:StartExecution', Resource: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:nightly` },
      { Sid: 'FollowAndStopJobExecutions', Effect: 'Allow', Action: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:StopExecution'], Resource: `arn:aws:states:${REGION}:${ACCOUNT}:execution:nightly:*` },
    ]);
  });

  it('the example catalog (jobs/aws.example.yaml) deploys as shipped: it loads, and synth generates its permissions', async () => {
    const example = await loadCatalog('jobs/aws.example.yaml');
    expect(new Set(example.map((j) => j.type))).toEqual(new Set(['lambda', 'ec2', 'ssm-command', 'ecs-task', 'step-functions']));
    const t = synth({}, example);
    const sids = Object.values(t.findResources('AWS::IAM::Role')).flatMap((r: any) => (r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement.map((s: Statement) => s.Sid)));
    expect(sids).toEqual(expect.arrayContaining(['InvokeJobFunction', 'RunInstancesFromJobTemplate', 'RunInstancesOnlyWithTemplateResources', 'SendCommandDocument', 'RunTask', 'StartJobExecution', 'ReadCommandLogs', 'ReadTaskLogs']));
    expect(Object.keys(t.findResources('AWS::IAM::Role'))).toHaveLength(1 + example.length);
  });

  it('refuses a catalog it cannot scope: an EC2 launch template given by name', async () => {
    const { jobPermissions } = await import('../../../backend/deploy/permissions');
    const byName = jobDefinitionSchema.parse({ name: 'x', title: 'X', type: 'ec2', allow, target: { launchTemplate: { name: 'render-node' }, maxSpotPrice: '1' } });
    expect(() => jobPermissions(byName, { region: REGION, account: ACCOUNT })).toThrow(/by id/);
    expect(() => synth({}, [byName])).toThrow(/by id/);
  });
});
