import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { JobDefinition } from '../core/job';
import type { DeploySettings } from './settings';
import { jobPermissions } from './permissions';
import { VerifierApi } from './verifierApi';
import { key } from '../adapters/dynamo/keys';
import { LAMBDA_HANDLER } from '../../build/buildLambda';

/** The partition keys the audit log lives under (keys.ts), which the verifier may add to but not change. */
export const AUDIT_PARTITIONS = [key.audit('').pk];
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
    // Its role cannot update or delete an audit item, whatever the code does (DynamoDB's own TTL deletes
    // expired refusals; that is not this role). IAM has no "insert only": an unconditional PutItem could
    // still replace an entry, which the code never sends; docs/security.md (property 18) says what closes it.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AuditIsAppendOnly',
        effect: iam.Effect.DENY,
        actions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
        resources: [table.tableArn],
        conditions: { 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': AUDIT_PARTITIONS } },
      }),
    );
    add('ReadSessionSecret', ['secretsmanager:GetSecretValue'], [sessionSecret.secretArn]);
    const jobsPath = `arn:${partition}:ssm:${this.region}:${this.account}:parameter${settings.ssmPrefix}/jobs`;
    // Read without decryption (ssmCatalog.ts): the execution parameter's version is all the verifier
    // needs, so the role holds no kms:Decrypt.
    add('ReadJobCatalog', ['ssm:GetParametersByPath', 'ssm:GetParameters'], [jobsPath, `${jobsPath}/*`]);
    for (const s of jobPermissions(props.jobs, { region: this.region, account: this.account, partition })) add(s.sid, s.actions, s.resources, s.conditions);

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
      },
    });

    const edge = new VerifierApi(this, 'Edge', { settings, handler: verifier });
    // The app is served at the verifier's own origin; the rpId is that exact host (or, with a custom
    // domain, a parent domain the settings name, to keep keys enrolled under it).
    verifier.addEnvironment('KEYLAUNCH_CONFIG', this.toJsonString({ rpId: settings.rpId ?? edge.host, origins: [edge.origin], allowedCidrs: settings.allowedCidrs }));

    new CfnOutput(this, 'VerifierUrl', { value: edge.url });
    if (edge.domain) new CfnOutput(this, 'CustomDomainTarget', { value: edge.domain.domainNameAliasDomainName, description: `Point ${edge.host} (CNAME or alias) here` });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'SessionSecretArn', { value: sessionSecret.secretArn });
  }
}
