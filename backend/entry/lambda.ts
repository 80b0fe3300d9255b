import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { createVerifier, systemClock, systemRandom } from '../createVerifier';
import { parseVerifierConfig } from '../core/config';
import { createDynamoStore } from '../adapters/dynamo/dynamoStore';
import { documentClient } from '../adapters/dynamo/table';
import { createFileCatalog } from '../adapters/catalog/fileCatalog';
import { createSsmCatalog } from '../adapters/catalog/ssmCatalog';
import { lazyLauncher } from '../adapters/launcher/lazyLauncher';
import type { ApiResponse } from '../api/handleApiRequest';

/**
 * The Lambda Function URL handler (payload format 2.0): parse the event, hand it to the verifier, map
 * the answer. Clients are made once per cold start. The source address is the platform's
 * requestContext.http.sourceIp, never a header.
 */
const eventSchema = z.object({
  rawPath: z.string(),
  rawQueryString: z.string().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
  requestContext: z.object({ http: z.object({ method: z.string(), sourceIp: z.string() }) }),
});

const env = process.env;
const region = env.AWS_REGION ?? 'us-east-1';
// One retry policy (ours, in the launchers): the SDK's own retries are off so attempts are not multiplied.
const once = { maxAttempts: 1 };
/** The config from the environment, with the session secret read from Secrets Manager (once per cold start). */
async function loadConfig() {
  const config = JSON.parse(env.KEYLAUNCH_CONFIG ?? '{}') as Record<string, unknown>;
  if (env.KEYLAUNCH_SESSION_SECRET_ARN) {
    const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: env.KEYLAUNCH_SESSION_SECRET_ARN }));
    // The generated secret is 64 random alphanumerics; as key material it is used byte for byte.
    config.sessionSecret = Buffer.from(out.SecretString ?? '', 'utf8').toString('base64');
  }
  return parseVerifierConfig(config);
}

const verifier = createVerifier({
  config: await loadConfig(),
  store: createDynamoStore({ client: documentClient(new DynamoDBClient({})), tableName: env.KEYLAUNCH_TABLE ?? 'keylaunch' }),
  catalog: env.KEYLAUNCH_SSM_PREFIX ? createSsmCatalog({ client: new SSMClient({}), prefix: env.KEYLAUNCH_SSM_PREFIX }) : createFileCatalog(env.KEYLAUNCH_JOBS_FILE ?? 'jobs.json'),
  // Loaded on first use (a separate chunk each): a cold start that launches nothing loads no launcher SDK.
  launchers: {
    lambda: lazyLauncher(async () => {
      const [{ LambdaClient }, { createLambdaLauncher }] = await Promise.all([import('@aws-sdk/client-lambda'), import('../adapters/launcher/aws/lambdaLauncher')]);
      return createLambdaLauncher({ client: new LambdaClient(once), region });
    }, { status: false }),
    ec2: lazyLauncher(async () => {
      const [{ EC2Client }, { createEc2Launcher }] = await Promise.all([import('@aws-sdk/client-ec2'), import('../adapters/launcher/aws/ec2Launcher')]);
      return createEc2Launcher({ client: new EC2Client(once), region });
    }, { status: true }),
    'ssm-command': lazyLauncher(async () => {
      const { createSsmCommandLauncher } = await import('../adapters/launcher/aws/ssmCommandLauncher');
      return createSsmCommandLauncher({ client: new SSMClient(once), region });
    }, { status: true }),
    'ecs-task': lazyLauncher(async () => {
      const [{ ECSClient }, { createEcsTaskLauncher }] = await Promise.all([import('@aws-sdk/client-ecs'), import('../adapters/launcher/aws/ecsTaskLauncher')]);
      return createEcsTaskLauncher({ client: new ECSClient(once), region });
    }, { status: true }),
    'step-functions': lazyLauncher(async () => {
      const [{ SFNClient }, { createStepFunctionsLauncher }] = await Promise.all([import('@aws-sdk/client-sfn'), import('../adapters/launcher/aws/stepFunctionsLauncher')]);
      return createStepFunctionsLauncher({ client: new SFNClient(once), region });
    }, { status: true }),
  },
  clock: systemClock,
  random: systemRandom,
});

export async function handler(event: unknown): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) return toResult({ status: 400, headers: {}, body: JSON.stringify({ error: { code: 'bad_request', message: 'Unrecognized event.' } }) });
  const e = parsed.data;
  const response = await verifier.handle({
    method: e.requestContext.http.method.toUpperCase(),
    path: e.rawPath,
    query: Object.fromEntries(new URLSearchParams(e.rawQueryString ?? '')),
    headers: Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: e.body === undefined ? undefined : e.isBase64Encoded ? Buffer.from(e.body, 'base64').toString('utf8') : e.body,
    sourceIp: e.requestContext.http.sourceIp,
  });
  return toResult(response);
}

const toResult = (r: ApiResponse) => ({ statusCode: r.status, headers: { 'content-type': 'application/json', ...r.headers }, body: r.body });
