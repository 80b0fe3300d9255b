import { runtimeNotifySchema } from '../../core/notifyConfig';
import type { Notifier } from '../../core/ports';
import type { SignedJsonClient } from '../aws/signedJsonClient';
import { credentialsFromEnvironment, serviceEndpoint } from '../aws/awsEnvironment';
import { loadOnFirstUse } from '../loadOnFirstUse';
import { NOTIFY_BOUND_MS, createNotifier } from './createNotifier';
import { createSnsPublisher } from './snsPublisher';

/**
 * The notifier as the stack configures it: KEYLAUNCH_NOTIFY (destinations, checked again here: the
 * environment is input too) and, for webhooks, KEYLAUNCH_NOTIFY_SECRET_ARN, read from Secrets Manager on
 * the first webhook delivery rather than at every cold start. Absent when the settings name no destination.
 */
export function awsNotifier(env: NodeJS.ProcessEnv, o: { region: string; secretsManager: SignedJsonClient }): Notifier | undefined {
  if (!env.KEYLAUNCH_NOTIFY) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(env.KEYLAUNCH_NOTIFY);
  } catch {
    throw new Error('keylaunch: KEYLAUNCH_NOTIFY is not JSON (the deploy stack sets it).');
  }
  const parsed = runtimeNotifySchema.safeParse(raw);
  if (!parsed.success) throw new Error(`keylaunch: KEYLAUNCH_NOTIFY is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const secretArn = env.KEYLAUNCH_NOTIFY_SECRET_ARN;
  return createNotifier({
    ...parsed.data,
    mode: 'aws',
    webhookSecret: loadOnFirstUse(async () => {
      if (!secretArn) throw new Error('KEYLAUNCH_NOTIFY_SECRET_ARN is not set');
      const out = await o.secretsManager.call<{ SecretString?: string }>('GetSecretValue', { SecretId: secretArn });
      if (!out.SecretString) throw new Error('the notification secret is empty');
      return Buffer.from(out.SecretString, 'utf8');
    }),
    publish: createSnsPublisher({ endpoint: serviceEndpoint(env, { service: 'SNS', host: 'sns', region: o.region }), region: o.region, credentials: credentialsFromEnvironment(env), timeoutMs: NOTIFY_BOUND_MS }),
  });
}
