import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The CDK app as `cdk deploy` runs it (backend/deploy/app.ts in a child process): the shipped example
 * catalog, the real Lambda bundle, a cloud assembly on disk. What this reads is what CloudFormation gets.
 */
let template: { Resources: Record<string, { Type: string; Properties: any }>; Outputs: Record<string, unknown> };
let bundleDir: string;
let run: ReturnType<typeof spawnSync>;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'kl-app-'));
  const settingsFile = join(dir, 'settings.json');
  writeFileSync(settingsFile, JSON.stringify({ region: 'eu-west-1', allowedCidrs: ['203.0.113.0/24'], catalogFile: 'jobs/aws.example.yaml' }));
  bundleDir = join(dir, 'lambda');
  run = spawnSync(process.execPath, ['--import', 'tsx', 'backend/deploy/app.ts'], {
    env: { ...process.env, KEYLAUNCH_DEPLOY_SETTINGS: settingsFile, KEYLAUNCH_LAMBDA_OUTDIR: bundleDir, CDK_OUTDIR: join(dir, 'cdk.out'), CDK_DEFAULT_ACCOUNT: '123456789012' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`app.ts failed (${run.status}):\n${run.stderr}`);
  template = JSON.parse(readFileSync(join(dir, 'cdk.out', 'keylaunch.template.json'), 'utf8'));
}, 150_000);

const ofType = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);

describe('npm run deploy’s CDK app, on the example catalog as shipped', () => {
  it('synthesizes: the verifier behind the REST API, no Function URL, one launch role generated from each example job', () => {
    expect(ofType('AWS::Lambda::Url')).toEqual([]);
    expect(ofType('AWS::ApiGateway::RestApi')).toHaveLength(1);
    expect(ofType('AWS::ApiGateway::RestApi')[0]!.Properties.Policy.Statement[1].Condition).toEqual({ NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] } });
    const sids = ofType('AWS::IAM::Policy').flatMap((p) => p.Properties.PolicyDocument.Statement.map((s: { Sid: string }) => s.Sid));
    expect(sids).toEqual(expect.arrayContaining(['AuditIsAppendOnly', 'AssumeJobLaunchRoles', 'SignAuditHead']));
    const launchRoles = ofType('AWS::IAM::Role').filter((r) => r.Properties.AssumeRolePolicyDocument.Statement[0].Condition?.StringEquals?.['aws:RequestTag/JobName']);
    expect(launchRoles.map((r) => r.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals['aws:RequestTag/JobName']).sort()).toEqual(['monthly-report', 'nightly-etl', 'patch-web', 'render-batch', 'rotate-keys']);
    const jobSids = launchRoles.flatMap((r) => r.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement.map((s: { Sid: string }) => s.Sid)));
    expect(jobSids).toEqual(expect.arrayContaining(['InvokeJobFunction', 'RunInstancesFromJobTemplate', 'RunInstancesOnlyWithTemplateResources', 'SendCommandDocument', 'RunTask', 'StartJobExecution']));
    // One KMS permission in the whole stack: the verifier signing the audit head with its own key (stack.test.ts checks it).
    expect(JSON.stringify(ofType('AWS::IAM::Policy')).match(/"Action":"kms:[A-Za-z]+"/g)).toEqual(['"Action":"kms:Sign"']);
    expect(JSON.stringify(launchRoles)).not.toContain('kms:');
  });

  it('packages the real bundle, whose entry exports the handler the function names', () => {
    const fn = ofType('AWS::Lambda::Function')[0]!.Properties;
    expect(fn.Handler).toBe('index.handler');
    expect(readdirSync(bundleDir)).toContain('index.mjs');
    expect(readFileSync(join(bundleDir, 'index.mjs'), 'utf8')).toMatch(/export\s*\{[^}]*\bas handler\b[^}]*\}|export\s+(const|async function|function)\s+handler\b/);
  });
});
