import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { KeylaunchStack } from '../../../backend/deploy/stack';
import { deploySettingsSchema } from '../../../backend/deploy/settings';
import { jobDefinitionSchema, type JobDefinition } from '../../../backend/core/job';

/** The deploy, synthesized offline: resources, their settings, and every IAM statement. */
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const allow = { roles: ['admin'] };
const jobs: JobDefinition[] = [
  { name: 'rotate', title: 'Rotate', type: 'lambda', allow, target: { functionName: 'rotate-keys', qualifier: 'live' } },
  { name: 'render', title: 'Render', type: 'ec2', allow, target: { launchTemplate: { id: 'lt-0123456789abcdef0' }, maxSpotPrice: '0.5', instanceRoleArn: `arn:aws:iam::${ACCOUNT}:role/render-node` } },
  { name: 'patch', title: 'Patch', type: 'ssm-command', allow, target: { documentName: 'AWS-RunShellScript', targets: [{ key: 'tag:Role', values: ['web'] }] } },
  { name: 'restart', title: 'Restart', type: 'ssm-command', allow, target: { documentName: 'RestartApp', instanceIds: ['i-0123456789abcdef0'] } },
  { name: 'report', title: 'Report', type: 'ecs-task', allow, target: { cluster: 'jobs', taskDefinition: 'report:12', containerName: 'app', subnets: ['subnet-0a1b2c3d'], taskRoleArns: [`arn:aws:iam::${ACCOUNT}:role/report`] } },
  { name: 'etl', title: 'ETL', type: 'step-functions', allow, target: { stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:nightly` } },
].map((j) => jobDefinitionSchema.parse(j));

const settings = deploySettingsSchema.parse({ region: REGION, allowedCidrs: ['203.0.113.0/24'], appOrigin: 'https://keylaunch.example.com', rpId: 'example.com' });

let template: Template;
let statements: { Sid: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> }[];
beforeAll(() => {
  const asset = mkdtempSync(join(tmpdir(), 'kl-asset-'));
  writeFileSync(join(asset, 'index.mjs'), 'export const handler = async () => ({ statusCode: 200 });\n');
  const app = new App();
  const stack = new KeylaunchStack(app, 'keylaunch', { env: { account: ACCOUNT, region: REGION }, settings, jobs, lambdaAssetDir: asset });
  template = Template.fromStack(stack);
  statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as any).Properties.PolicyDocument.Statement);
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
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        DeletionProtectionEnabled: true,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('the verifier: Node.js 22 on arm64, with reserved concurrency, its table, catalog and secret', () => {
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
          KEYLAUNCH_CONFIG: JSON.stringify({ rpId: 'example.com', origins: ['https://keylaunch.example.com'], allowedCidrs: ['203.0.113.0/24'] }),
        }),
      },
    });
  });

  it('a Function URL with auth type NONE (the verifier authenticates every call itself)', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
    template.resourceCountIs('AWS::Lambda::Url', 1);
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

  it('a * resource only for calls AWS does not scope, each held as narrow as it can be', () => {
    const starred = statements.filter((s) => resourcesOf(s).includes('*'));
    expect(starred.map((s) => s.Sid).sort()).toEqual(['DecryptJobCatalog', 'ReadCommandStatus', 'ReadSpotPricesAndInstances']);
    expect(statement('DecryptJobCatalog').Condition).toEqual({ StringEquals: { 'kms:ViaService': `ssm.${REGION}.amazonaws.com` } });
    for (const a of statement('ReadSpotPricesAndInstances').Action) expect(a).toMatch(/^ec2:Describe/);
  });

  it('no managed policies: the role is only its own statements', () => {
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('the table, the secret, the log group and the catalog path only', () => {
    expect(statement('UseOwnTable').Action).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query']);
    expect(JSON.stringify(statement('UseOwnTable').Resource)).toContain('Table');
    expect(JSON.stringify(statement('ReadSessionSecret').Resource)).toContain('SessionSecret');
    expect(JSON.stringify(statement('WriteOwnLogs').Resource)).toContain('VerifierLogs');
    expect(statement('ReadJobCatalog').Resource).toEqual([`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/keylaunch/jobs`, `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/keylaunch/jobs/*`]);
  });

  it('lambda:InvokeFunction only on the jobs’ functions', () => {
    expect(statement('InvokeJobFunctions')).toMatchObject({ Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:rotate-keys:live` });
  });

  it('ec2:RunInstances only with the jobs’ launch templates; CreateTags only on create; PassRole only for their roles', () => {
    const run = statement('RunInstancesFromJobTemplates');
    expect(run.Action).toBe('ec2:RunInstances');
    expect(run.Condition).toEqual({ ArnEquals: { 'ec2:LaunchTemplate': [`arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/lt-0123456789abcdef0`] } });
    expect(resourcesOf(run)).toContain(`arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/lt-0123456789abcdef0`);
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

  it('refuses a catalog it cannot scope: an EC2 launch template given by name', async () => {
    const { jobPermissions } = await import('../../../backend/deploy/permissions');
    const byName = jobDefinitionSchema.parse({ name: 'x', title: 'X', type: 'ec2', allow, target: { launchTemplate: { name: 'render-node' }, maxSpotPrice: '1' } });
    expect(() => jobPermissions([byName], { region: REGION, account: ACCOUNT })).toThrow(/by id/);
  });
});
