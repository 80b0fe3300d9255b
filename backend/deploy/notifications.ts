import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { DeployNotifySettings } from '../core/notifyConfig';
import type { JobDefinition } from '../core/job';

/**
 * Issue 16 §3 in the stack (docs/notifications.md): the SNS topics the settings ask it to create, the
 * verifier's right to publish to exactly the named topics, and for webhooks a signing secret generated at
 * deploy that only the verifier reads. The function learns its destinations from `environment`.
 */
export class Notifications extends Construct {
  /** KEYLAUNCH_NOTIFY, and KEYLAUNCH_NOTIFY_SECRET_ARN when a webhook is named. */
  readonly environment: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: { settings: DeployNotifySettings; role: iam.IRole; jobs: JobDefinition[] }) {
    super(scope, id);
    // A job naming a destination the settings lack would be told nowhere: refused here, with both names.
    for (const job of props.jobs) {
      const unknown = (job.notify ?? []).filter((name) => !Object.hasOwn(props.settings.destinations, name));
      if (unknown.length) throw new Error(`Job ${job.name} notifies ${unknown.join(', ')}, which the deploy settings' notifications.destinations do not define.`);
    }
    const destinations: Record<string, { sns: string } | { webhook: string }> = {};
    const topicArns: string[] = [];
    for (const [name, d] of Object.entries(props.settings.destinations)) {
      if ('webhook' in d) {
        destinations[name] = d;
        continue;
      }
      let arn = d.sns;
      if (arn === 'create') {
        // Subscribers are added by the operator (e-mail, chat, a queue); only the verifier publishes.
        const topic = new sns.Topic(this, `Topic-${name}`, { displayName: `keylaunch ${name}`, enforceSSL: true });
        new CfnOutput(Stack.of(this), `NotifyTopic${name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/^./, (c) => c.toUpperCase())}`, { value: topic.topicArn, description: `Subscribe to keylaunch notifications (${name}) here` });
        arn = topic.topicArn;
      }
      destinations[name] = { sns: arn };
      topicArns.push(arn);
    }
    const add = (sid: string, actions: string[], resources: string[]) => props.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid, actions, resources }));
    if (topicArns.length) add('PublishNotifications', ['sns:Publish'], topicArns);
    if (topicArns.length < Object.keys(destinations).length) {
      const secret = new secrets.Secret(this, 'SigningSecret', {
        description: 'keylaunch: HMAC key that signs webhook notifications (receivers check it)',
        generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      });
      add('ReadNotifySigningSecret', ['secretsmanager:GetSecretValue'], [secret.secretArn]);
      this.environment.KEYLAUNCH_NOTIFY_SECRET_ARN = secret.secretArn;
      new CfnOutput(Stack.of(this), 'NotifySigningSecretArn', { value: secret.secretArn, description: 'Webhook receivers verify signatures with this secret (docs/notifications.md)' });
    }
    this.environment.KEYLAUNCH_NOTIFY = Stack.of(this).toJsonString({ destinations, everyEvent: props.settings.everyEvent });
  }
}
