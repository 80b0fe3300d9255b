import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { JobDefinition } from '../core/job';
import type { DeploySettings } from './settings';
import { LaunchRoles } from './launchRoles';
import { VerifierApi } from './verifierApi';
import { Notifications } from './notifications';
import { LAMBDA_HANDLER } from '../../build/buildLambda';

/**
 * The partition keys the audit log lives under (keys.ts): the legacy `AUDIT`, the chain's day partitions
 * `AUDIT#<day>`, its head `AUDITHEAD`, day index `AUDITDAYS` and signatures `AUDITSIG`. One pattern
 * covers them (no other partition key starts with AUDIT); the verifier may add to them but not update
 * or delete in them.
 */
export const AUDIT_PARTITIONS = ['AUDIT*'];
/** The attribute DynamoDB's TTL reads (epoch seconds), for every item type that expires. */
export const TTL_ATTRIBUTE = 'ttl';

export interface KeylaunchStackProps extends StackProps {
  settings: DeploySettings;
  /** The job catalog: permissions are generated from it. */
  jobs: JobDefinition[];
  /** A folder holding the bundled verifier (index.mjs). */
  lambdaAssetDir: string;
}

/**
 * The verifier in AWS: a DynamoDB table, the session secret, one Lambda behind an API Gateway REST API
 * that refuses every source outside the allowlist (VerifierApi), and a role that may do exactly what the
 * catalog's jobs need. No IAM auth on the API: that would put AWS credentials on the desktop, which
 * keylaunch exists to avoid; the verifier authenticates every call itself (sessions, touches).
 */
export class KeylaunchStack extends Stack {
  constructor(scope: Construct, id: string, props: KeylaunchStackProps) {
    super(scope, id, props);
    const { settings } = props;
    // From the region, not the AWS::Partition token, so generated ARNs are plain strings (and reviewable).
    const partition = settings.region.startsWith('cn-') ? 'aws-cn' : settings.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: true,
      // Users, keys, runs and the audit log outlive the stack: `npm run destroy` leaves the table.
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
    });

    // Generated at deploy, never seen by anyone; the verifier reads it once per cold start.
    const sessionSecret = new secrets.Secret(this, 'SessionSecret', {
      description: 'keylaunch: HMAC key for session tokens',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });

    const logGroup = new logs.LogGroup(this, 'VerifierLogs', {
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Built statement by statement: no managed policy (AWSLambdaBasicExecutionRole writes to any log group).
    const role = new iam.Role(this, 'VerifierRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'keylaunch verifier: only what the job catalog needs' });
    const add = (sid: string, actions: string[], resources: string[], conditions?: Record<string, Record<string, string | string[]>>) =>
      role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources, ...(conditions ? { conditions } : {}) }));
    add('WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], [logGroup.logGroupArn]);
    // Scan: only the admin directory (GET /v1/admin/people); it reads nothing the role could not already Get.
    add('UseOwnTable', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:Scan'], [table.tableArn]);
    // Its role cannot update or delete an audit item, whatever the code does. IAM has no "insert only":
    // a PutItem could still replace an entry (the code sends each with attribute_not_exists, and the head
    // with a condition on its seq and hash); the hash chain and the signed head are what show a
    // replacement. docs/security.md (property 18) says exactly what is and is not enforced.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AuditIsAppendOnly',
        effect: iam.Effect.DENY,
        actions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'],
        resources: [table.tableArn],
        conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': AUDIT_PARTITIONS } },
      }),
    );
    // Signs the audit chain's head (issue 15 §2). Asymmetric keys cannot rotate; kept with the table, as
    // old signatures must stay verifiable. The role may sign with it, nothing else.
    const auditKey = new kms.Key(this, 'AuditSigningKey', {
      description: 'keylaunch: signs the audit log head (ECDSA P-256)',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    add('SignAuditHead', ['kms:Sign'], [auditKey.keyArn], { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } });
    add('ReadSessionSecret', ['secretsmanager:GetSecretValue'], [sessionSecret.secretArn]);
    const jobsPath = `arn:${partition}:ssm:${this.region}:${this.account}:parameter${settings.ssmPrefix}/jobs`;
    // Read without decryption (ssmCatalog.ts): the execution parameter's version is all the verifier
    // needs, so the role holds no kms:Decrypt.
    add('ReadJobCatalog', ['ssm:GetParametersByPath', 'ssm:GetParameters'], [jobsPath, `${jobsPath}/*`]);
    // Issue 15 §3: the verifier launches nothing as itself. Each AWS job has its own launch role, which
    // this role may only assume (with the approving person and the run's tags): no service permissions here.
    const launchRoles = new LaunchRoles(this, 'LaunchRoles', { jobs: props.jobs, verifierRole: role, where: { region: this.region, account: this.account, partition } });
    if (launchRoles.roles.length) add('AssumeJobLaunchRoles', ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], Object.values(launchRoles.arns));

    const verifier = new lambda.Function(this, 'Verifier', {
      description: 'keylaunch verifier',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: LAMBDA_HANDLER,
      code: lambda.Code.fromAsset(props.lambdaAssetDir),
      // 512 MB: the bundled handler imports in ~0.2 s locally (npm run bench) and a confirmation is
      // dominated by storage round trips, not CPU; more memory buys little.
      memorySize: settings.memoryMb,
      timeout: Duration.seconds(30),
      reservedConcurrentExecutions: settings.reservedConcurrency,
      role,
      logGroup,
      environment: {
        KEYLAUNCH_TABLE: table.tableName,
        KEYLAUNCH_SSM_PREFIX: settings.ssmPrefix,
        KEYLAUNCH_SESSION_SECRET_ARN: sessionSecret.secretArn,
        KEYLAUNCH_LAUNCH_ROLES: this.toJsonString(launchRoles.arns),
        KEYLAUNCH_AUDIT_KEY_ID: auditKey.keyId,
      },
    });

    // Issue 16 §3: topics, sns:Publish on exactly them, the webhook signing secret (notifications.ts).
    if (!settings.notifications && props.jobs.some((j) => j.notify?.length)) throw new Error('A job names notification destinations, but the deploy settings define none (notifications.destinations).');
    if (settings.notifications) for (const [k, v] of Object.entries(new Notifications(this, 'Notifications', { settings: settings.notifications, role, jobs: props.jobs }).environment)) verifier.addEnvironment(k, v);

    const edge = new VerifierApi(this, 'Edge', { settings, handler: verifier });
    // The app is served at the verifier's own origin; the rpId is that exact host (or, with a custom
    // domain, a parent domain the settings name, to keep keys enrolled under it).
    verifier.addEnvironment('KEYLAUNCH_CONFIG', this.toJsonString({ rpId: settings.rpId ?? edge.host, origins: [edge.origin], allowedCidrs: settings.allowedCidrs }));

    new CfnOutput(this, 'VerifierUrl', { value: edge.url });
    if (edge.domain) new CfnOutput(this, 'CustomDomainTarget', { value: edge.domain.domainNameAliasDomainName, description: `Point ${edge.host} (CNAME or alias) here` });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'SessionSecretArn', { value: sessionSecret.secretArn });
    new CfnOutput(this, 'AuditKeyId', { value: auditKey.keyId, description: 'npm run verify -- audit checks head signatures with this key\'s public key' });
  }
}
