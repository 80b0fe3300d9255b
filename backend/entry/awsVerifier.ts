import { createVerifier, systemClock, systemRandom, type Verifier } from '../createVerifier';
import { parseVerifierConfig, type VerifierConfig } from '../core/config';
import { createDynamoStore } from '../adapters/dynamo/dynamoStore';
import { signedDocuments } from '../adapters/dynamo/signedDocuments';
import { createSignedJsonClient, type SignedJsonClient } from '../adapters/aws/signedJsonClient';
import { credentialsFromEnvironment, serviceEndpoint } from '../adapters/aws/awsEnvironment';
import { lazyCatalog } from '../adapters/catalog/lazyCatalog';
import { kmsHeadSigner } from '../adapters/aws/kmsHeadSigner';

/**
 * The verifier as it runs in AWS: its composition root, read once per cold start. What a cold start
 * loads is only what unlocking needs: DynamoDB and the session secret, over the small signed client
 * (adapters/aws/signedJsonClient.ts), and WebAuthn authentication. The SSM catalog and each launcher
 * with its AWS SDK client are their own chunks of the bundle, loaded on first use (`npm run bench`
 * reports what a cold start reads).
 */
export async function createAwsVerifier(env: NodeJS.ProcessEnv): Promise<Verifier> {
  const region = env.AWS_REGION ?? 'us-east-1';
  const prefix = required(env, 'KEYLAUNCH_SSM_PREFIX');
  const credentials = credentialsFromEnvironment(env);
  const dynamodb = createSignedJsonClient({
    endpoint: serviceEndpoint(env, { service: 'DYNAMODB', host: 'dynamodb', region }),
    region, signingName: 'dynamodb', targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0', credentials,
  });
  const secretsManager = createSignedJsonClient({
    endpoint: serviceEndpoint(env, { service: 'SECRETS_MANAGER', host: 'secretsmanager', region }),
    region, signingName: 'secretsmanager', targetPrefix: 'secretsmanager', jsonVersion: '1.1', credentials,
  });
  const auditKeyId = required(env, 'KEYLAUNCH_AUDIT_KEY_ID');
  const kms = createSignedJsonClient({
    endpoint: serviceEndpoint(env, { service: 'KMS', host: 'kms', region }),
    region, signingName: 'kms', targetPrefix: 'TrentService', jsonVersion: '1.1', credentials,
  });
  // Issue 16 §3: the notifier is its own chunk, loaded only when the settings name destinations, beside the secret read.
  const [config, notifier] = await Promise.all([
    loadConfig(env, secretsManager),
    env.KEYLAUNCH_NOTIFY ? import('../adapters/notify/awsNotifier').then((m) => m.awsNotifier(env, { region, secretsManager })) : undefined,
  ]);
  return createVerifier({
    config,
    store: createDynamoStore({
      client: signedDocuments(dynamodb),
      tableName: required(env, 'KEYLAUNCH_TABLE'),
      signer: kmsHeadSigner(kms, auditKeyId),
      log: (message, error) => console.error(`[keylaunch] ${message}`, error ?? ''),
    }),
    catalog: lazyCatalog(async () => {
      const [{ SSMClient }, { createSsmCatalog }] = await Promise.all([import('@aws-sdk/client-ssm'), import('../adapters/catalog/ssmCatalog')]);
      return createSsmCatalog({ client: new SSMClient({}), prefix });
    }),
    // Its own chunk, small (each launcher inside still loads on first use): the artifact test imports it
    // from the bundle to follow and stop runs exactly as this verifier would.
    launchers: (await import('./awsLaunchers')).awsLaunchers(env, region),
    clock: systemClock,
    random: systemRandom,
    ...(notifier ? { notifier } : {}),
  });
}

/** The config from the environment, with the session secret read from Secrets Manager. */
async function loadConfig(env: NodeJS.ProcessEnv, secretsManager: SignedJsonClient): Promise<VerifierConfig> {
  const config = JSON.parse(env.KEYLAUNCH_CONFIG ?? '{}') as Record<string, unknown>;
  const out = await secretsManager.call<{ SecretString?: string }>('GetSecretValue', { SecretId: required(env, 'KEYLAUNCH_SESSION_SECRET_ARN') });
  // The generated secret is 64 random alphanumerics; as key material it is used byte for byte.
  config.sessionSecret = Buffer.from(out.SecretString ?? '', 'utf8').toString('base64');
  return parseVerifierConfig(config);
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`keylaunch: ${name} is not set in the function's environment (the deploy stack sets it).`);
  return value;
}
