import { Construct } from 'constructs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { JobDefinition } from '../core/job';
import { jobPermissions, type Where } from './permissions';

/** The session tags a launch role's trust policy requires (adapters/launcher/aws/launchRole.ts sets them). */
export const SESSION_TAG_KEYS = ['RunId', 'JobName', 'Fingerprint'] as const;
/** Lambda's environment holds 4 KB in all: the roles' map must leave room for the rest. */
const MAX_ROLES_ENV = 3000;

/**
 * Issue 15 §3: one IAM role per AWS job of the catalog, holding exactly that job's launch, follow and
 * cancel permissions (permissions.ts). Only the verifier's role may assume it, and only while naming a
 * source identity (the approving person) and tagging the session with the run, this job's name and the
 * fingerprint, and no other tags: CloudTrail then attributes every call to a person, and a role assumed
 * for one job cannot be tagged as another's.
 */
export class LaunchRoles extends Construct {
  /** Job name → the job's launch role ARN (a token until deploy). */
  readonly arns: Record<string, string> = {};
  readonly roles: iam.Role[] = [];

  constructor(scope: Construct, id: string, props: { jobs: JobDefinition[]; verifierRole: iam.IRole; where: Where }) {
    super(scope, id);
    const aws = props.jobs.filter((j) => j.type !== 'local');
    const estimate = aws.reduce((n, j) => n + j.name.length + 110, 2);
    if (estimate > MAX_ROLES_ENV) throw new Error(`The catalog has too many AWS jobs (${aws.length}) for the verifier's environment to name each one's launch role; split it over two stacks.`);

    for (const job of aws) {
      const statements = jobPermissions(job, props.where);
      const role = new iam.Role(this, `Job-${job.name}`, {
        // Replaced below with the exact trust policy; CDK needs a principal to create the role.
        assumedBy: new iam.ArnPrincipal(props.verifierRole.roleArn),
        description: `keylaunch: launches, follows and stops the ${job.name} job only`.slice(0, 1000),
        maxSessionDuration: undefined,
        inlinePolicies: {
          job: new iam.PolicyDocument({
            statements: statements.map((s) => new iam.PolicyStatement({ sid: s.sid, actions: s.actions, resources: s.resources, ...(s.conditions ? { conditions: s.conditions } : {}) })),
          }),
        },
      });
      (role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = trustPolicy(props.verifierRole.roleArn, job.name);
      this.arns[job.name] = role.roleArn;
      this.roles.push(role);
    }
  }
}

/**
 * Only the verifier's role; AssumeRole, TagSession and SetSourceIdentity together, each only with a
 * source identity, the three tags (no others) and this job's name as JobName.
 */
export function trustPolicy(verifierRoleArn: string, jobName: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyTheVerifierForAPersonsApprovedRun',
        Effect: 'Allow',
        Principal: { AWS: verifierRoleArn },
        Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
        Condition: {
          Null: { 'sts:SourceIdentity': 'false', 'aws:RequestTag/RunId': 'false', 'aws:RequestTag/Fingerprint': 'false' },
          StringEquals: { 'aws:RequestTag/JobName': jobName },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [...SESSION_TAG_KEYS] },
        },
      },
    ],
  };
}
