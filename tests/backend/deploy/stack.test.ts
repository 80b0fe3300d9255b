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
  { name: 'patch', title: 'Patch', type: 'ssm-command', allow, target: { documentName: 'AWS-RunShellScript', targets: [{ key: 'tag:Role', values: ['web'] }] } },
  { name: 'restart', title: 'Restart', type: 'ssm-command', allow, target: { documentName: 'RestartApp', instanceIds: ['i-0123456789abcdef0'] } },
  { name: 'report', title: 'Report', type: 'ecs-task', allow, target: { cluster: 'jobs', taskDefinition: 'report:12', containerName: 'app', subnets: ['subnet-0a1b2c3d'], taskRoleArns: [`arn:aws:iam::${ACCOUNT}:role/report`] } },
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

describe('least privilege from the catalog', () => {
  it('no statement has a wildcard action', () => {
    const wild = statements.flatMap(actionsOf).filter((a) => a.includes('*'));
    expect(wild).toEqual([]);
  });

  it('a * resource only for calls AWS does not scope', () => {
    const starred = statements.filter((s) => resourcesOf(s).includes('*'));
    expect(starred.map((s) => s.Sid).sort()).toEqual(['ReadCommandStatus', 'ReadSpotPricesAndInstances']);
    for (const a of statement('ReadSpotPricesAndInstances').Action) expect(a).toMatch(/^ec2:Describe/);
  });

  it('no KMS at all: the catalog is read without decryption and nothing else needs a key', () => {
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  it('no managed policies: the role is only its own statements', () => {
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
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
    expect(AUDIT_PARTITIONS).toEqual(['AUDIT']);
    expect(statement('AuditIsAppendOnly')).toEqual({
      Sid: 'AuditIsAppendOnly',
      Effect: 'Deny',
      Action: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
      Resource: statement('UseOwnTable').Resource,
      Condition: { 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': AUDIT_PARTITIONS } },
    });
  });

  it('lambda:InvokeFunction only on the jobs’ functions', () => {
    expect(statement('InvokeJobFunctions')).toMatchObject({ Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:rotate-keys:live` });
  });

  it('ec2:RunInstances only with the jobs’ launch templates, and only the resources they name; CreateTags only on create; PassRole only for their roles', () => {
    const template = `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/lt-0123456789abcdef0`;
    const runs = statements.filter((s) => actionsOf(s).includes('ec2:RunInstances'));
    expect(runs.map((s) => s.Sid)).toEqual(['RunInstancesFromJobTemplates', 'RunInstancesOnlyWithTemplateResources']);
    for (const s of runs) expect(s.Action).toBe('ec2:RunInstances');
    // The template itself (and the spot request, made from the call's market options), from that template.
    expect(statement('RunInstancesFromJobTemplates')).toMatchObject({ Resource: [template, `arn:aws:ec2:${REGION}:${ACCOUNT}:spot-instances-request/*`], Condition: { ArnEquals: { 'ec2:LaunchTemplate': [template] } } });
    // Everything else only as the template names it: no other AMI, subnet, security group or key pair.
    const rest = statement('RunInstancesOnlyWithTemplateResources');
    expect(rest.Condition).toEqual({ ArnEquals: { 'ec2:LaunchTemplate': [template] }, Bool: { 'ec2:IsLaunchTemplateResource': 'true' } });
    expect(resourcesOf(rest)).toEqual(expect.arrayContaining([`arn:aws:ec2:${REGION}::image/*`, `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/*`, `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/*`, `arn:aws:ec2:${REGION}:${ACCOUNT}:key-pair/*`, `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/*`]));
    expect(resourcesOf(rest)).not.toContain(template);
    // No RunInstances resource escapes both conditions.
    for (const s of runs) expect(s.Condition?.ArnEquals).toEqual({ 'ec2:LaunchTemplate': [template] });
    expect(statement('TagOnlyWhatRunInstancesCreates').Condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'RunInstances' } });
    expect(statement('PassInstanceRoles')).toMatchObject({ Action: 'iam:PassRole', Resource: `arn:aws:iam::${ACCOUNT}:role/render-node`, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } });
  });

  it('ssm:SendCommand only for the listed documents and targets', () => {
    expect(statement('SendCommandDocumentpatch').Resource).toBe(`arn:aws:ssm:${REGION}::document/AWS-RunShellScript`);
    expect(statement('SendCommandTaggedpatchtagRole')).toMatchObject({ Resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`, Condition: { StringEquals: { 'ssm:resourceTag/Role': ['web'] } } });
    expect(statement('SendCommandDocumentrestart').Resource).toBe(`arn:aws:ssm:${REGION}:${ACCOUNT}:document/RestartApp`);
    expect(statement('SendCommandInstancesrestart').Resource).toBe(`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`);
  });

  it('ecs:RunTask only for the listed task definitions, in their cluster; PassRole for their roles', () => {
    expect(statement('RunTaskreport')).toMatchObject({ Action: 'ecs:RunTask', Resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/report:12`, Condition: { ArnEquals: { 'ecs:cluster': `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/jobs` } } });
    expect(statement('PassTaskRolesreport')).toMatchObject({ Resource: `arn:aws:iam::${ACCOUNT}:role/report`, Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } });
  });

  it('states:StartExecution only on the listed state machines', () => {
    expect(statement('StartJobExecutions')).toMatchObject({ Action: 'states:StartExecution', Resource: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:nightly` });
    expect(statement('ReadJobExecutions').Resource).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:nightly:*`);
  });

  it('the example catalog (jobs/aws.example.yaml) deploys as shipped: it loads, and synth generates its permissions', async () => {
    const example = await loadCatalog('jobs/aws.example.yaml');
    expect(new Set(example.map((j) => j.type))).toEqual(new Set(['lambda', 'ec2', 'ssm-command', 'ecs-task', 'step-functions']));
    const sids = roleStatements(synth({}, example)).map((s) => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(['InvokeJobFunctions', 'RunInstancesFromJobTemplates', 'RunInstancesOnlyWithTemplateResources', 'SendCommandDocumentpatchweb', 'RunTaskmonthlyreport', 'StartJobExecutions']));
  });

  it('refuses a catalog it cannot scope: an EC2 launch template given by name', async () => {
    const { jobPermissions } = await import('../../../backend/deploy/permissions');
    const byName = jobDefinitionSchema.parse({ name: 'x', title: 'X', type: 'ec2', allow, target: { launchTemplate: { name: 'render-node' }, maxSpotPrice: '1' } });
    expect(() => jobPermissions([byName], { region: REGION, account: ACCOUNT })).toThrow(/by id/);
  });
});
