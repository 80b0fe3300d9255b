import { mkdtempSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsNotifier } from '../../../../backend/adapters/notify/awsNotifier';
import { createSignedJsonClient } from '../../../../backend/adapters/aws/signedJsonClient';
import { localNotifier, localNotifySecret, NOTIFY_SECRET_FILE } from '../../../../backend/local/localNotifier';
import { loadLocalSettings } from '../../../../backend/local/localSettings';
import { announce, type Notification } from '../../../../backend/core/notification';
import { FAKE_CREDENTIALS, startAwsFakes, type AwsFakes } from '../../../support/awsFakes';
import { startWebhookReceiver } from '../../../support/webhookReceiver';

/** The notifiers as AWS mode (the stack's environment) and local mode (local.json) build them. */
const REGION = 'eu-west-1';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ops';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:notify-AbCdEf';
const event: Notification = { v: 1, id: 'evt_x', type: 'key.added', at: '2026-11-22T10:00:00.000Z', user: 'ada', keyId: 'k' };
let aws: AwsFakes;
beforeAll(async () => {
  aws = await startAwsFakes({ region: REGION });
});
afterAll(() => aws?.close());

const awsEnv = (notify: unknown, extra: Record<string, string> = {}) => ({
  ...aws.env,
  AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
  KEYLAUNCH_NOTIFY: typeof notify === 'string' ? notify : JSON.stringify(notify),
  ...extra,
});
const secretsManager = () => createSignedJsonClient({ endpoint: aws.env.AWS_ENDPOINT_URL_SECRETS_MANAGER!, region: REGION, signingName: 'secretsmanager', targetPrefix: 'secretsmanager', jsonVersion: '1.1', credentials: () => FAKE_CREDENTIALS });

describe('AWS mode: the notifier from the function’s environment', () => {
  it('none without KEYLAUNCH_NOTIFY; a start refused, with the reason, for an environment that is not what the stack sets', () => {
    expect(awsNotifier({}, { region: REGION, secretsManager: secretsManager() })).toBeUndefined();
    expect(() => awsNotifier(awsEnv('{nope'), { region: REGION, secretsManager: secretsManager() })).toThrow(/KEYLAUNCH_NOTIFY is not JSON/);
    expect(() => awsNotifier(awsEnv({ destinations: { h: { webhook: 'https://169.254.169.254/' } } }), { region: REGION, secretsManager: secretsManager() })).toThrow(/KEYLAUNCH_NOTIFY is not valid: destinations\.h\.webhook: webhook must not name a linkLocal/);
    expect(() => awsNotifier(awsEnv({ destinations: { s: { sns: 'create' } } }), { region: REGION, secretsManager: secretsManager() })).toThrow(/KEYLAUNCH_NOTIFY is not valid/);
  });

  it('publishes to the topic; reads the webhook secret once, on the first webhook delivery, not at start', async () => {
    const notifier = awsNotifier(awsEnv({ destinations: { ops: { sns: TOPIC }, chat: { webhook: 'https://hooks.example.com/k' } }, everyEvent: ['ops', 'chat'] }, { KEYLAUNCH_NOTIFY_SECRET_ARN: SECRET_ARN }), { region: REGION, secretsManager: secretsManager() })!;
    expect(aws.callsTo('secretsmanager')).toEqual([]);
    aws.answer('secretsmanager', 'GetSecretValue', () => ({ SecretString: randomBytes(32).toString('hex') }));
    const logged: string[] = [];
    const deps = { notifier, clock: { now: () => 0 }, random: { bytes: (n: number) => randomBytes(n) }, log: (m: string) => void logged.push(m) };
    await announce(deps, { type: 'key.added', user: 'ada', keyId: 'k' });
    await announce(deps, { type: 'key.revoked', user: 'ada', keyId: 'k' });
    expect(aws.callsTo('sns', 'Publish').map((c) => [c.input.TopicArn, JSON.parse(c.input.Message).type])).toEqual([[TOPIC, 'key.added'], [TOPIC, 'key.revoked']]);
    expect(aws.callsTo('secretsmanager', 'GetSecretValue').map((c) => c.input)).toEqual([{ SecretId: SECRET_ARN }]);
    // No DNS on this machine: the webhook cannot be reached, and says so; the SNS deliveries were not held back by it.
    expect(logged).toHaveLength(2);
    expect(logged.every((l) => /^notify\.failed destination=chat event=key\.(added|revoked) reason=(unreachable|timeout)$/.test(l))).toBe(true);
    expect(aws.problems).toEqual([]);
  });
});

describe('local mode: the notifier from local.json', () => {
  it('delivers to a loopback receiver, signed with the 0600 key file it makes on first use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kl-local-notify-'));
    const secret = await localNotifySecret(dir);
    expect(statSync(join(dir, NOTIFY_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(await localNotifySecret(dir)).toEqual(secret); // kept, not remade
    const hook = await startWebhookReceiver({ secret });
    try {
      await writeFile(join(dir, 'local.json'), JSON.stringify({ sessionSecret: randomBytes(32).toString('base64'), notifications: { destinations: { me: { webhook: `${hook.url}/k` } }, everyEvent: ['me'] } }));
      const { settings } = await loadLocalSettings(dir);
      const notifier = localNotifier(dir, settings)!;
      await notifier.send('me', event);
      expect(hook.deliveries.map((d) => [d.body, d.signed])).toEqual([[event, true]]);
    } finally {
      await hook.close();
    }
  });

  it('a local.json naming a webhook outside the rules is refused at start, saying which', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kl-local-notify-'));
    await writeFile(join(dir, 'local.json'), JSON.stringify({ sessionSecret: randomBytes(32).toString('base64'), notifications: { destinations: { me: { webhook: 'http://192.168.1.10/k' } } } }));
    await expect(loadLocalSettings(dir)).rejects.toThrow(/notifications\.destinations\.me\.webhook: webhook must be https/);
    expect(localNotifier(dir, {})).toBeUndefined();
  });
});
