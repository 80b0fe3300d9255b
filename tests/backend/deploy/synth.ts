import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { KeylaunchStack } from '../../../backend/deploy/stack';
import { deploySettingsSchema } from '../../../backend/deploy/settings';
import type { JobDefinition } from '../../../backend/core/job';

/** The deploy, synthesized offline with a stand-in bundle: what CloudFormation would be given. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const CIDRS = ['203.0.113.0/24', '2001:db8::/32'];

let asset: string | undefined;
export function synth(overrides: Record<string, unknown> = {}, jobs: JobDefinition[] = []): Template {
  if (!asset) {
    asset = mkdtempSync(join(tmpdir(), 'kl-asset-'));
    writeFileSync(join(asset, 'index.mjs'), 'export const handler = async () => ({ statusCode: 200 });\n');
  }
  const settings = deploySettingsSchema.parse({ region: REGION, allowedCidrs: CIDRS, ...overrides });
  return Template.fromStack(new KeylaunchStack(new App(), 'keylaunch', { env: { account: ACCOUNT, region: REGION }, settings, jobs, lambdaAssetDir: asset }));
}

export type Statement = { Sid: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };
export const roleStatements = (t: Template): Statement[] => Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => (p as any).Properties.PolicyDocument.Statement);

/** The logical id of the only resource of a type. */
export function onlyId(t: Template, type: string): string {
  const ids = Object.keys(t.findResources(type));
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0]!;
}

/**
 * A CloudFormation value as it will be once deployed, with each `Ref` (and `Fn::GetAtt`, as `Id.Attribute`)
 * replaced by a name of ours (`{ RestApi: 'abc123' }`): lets a test read a joined URL or JSON as the verifier will see it.
 */
export function render(value: unknown, refs: Record<string, string>): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v.Ref !== undefined) {
    if (!(v.Ref in refs)) throw new Error(`unexpected Ref ${v.Ref}`);
    return refs[v.Ref]!;
  }
  if (v['Fn::GetAtt']) {
    const name = (v['Fn::GetAtt'] as string[]).join('.');
    if (!(name in refs)) throw new Error(`unexpected Fn::GetAtt ${name}`);
    return refs[name]!;
  }
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map((p) => render(p, refs)).join(v['Fn::Join'][0]);
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}
