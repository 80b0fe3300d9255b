import { NotifyFailure, type Notification } from '../../core/notification';
import type { Notifier } from '../../core/ports';
import type { WebhookMode } from '../../core/webhookUrl';
import { createWebhookSender } from './webhookSender';

/** How long a notification may add to a request (docs/notifications.md, "Delivery"). */
export const NOTIFY_BOUND_MS = 2_000;

export interface NotifierOptions {
  destinations: Record<string, { sns: string } | { webhook: string }>;
  everyEvent: string[];
  mode: WebhookMode;
  /** The webhook signing key, read on first use. */
  webhookSecret: () => Promise<Buffer>;
  /** AWS mode: publishes to a topic. Absent in local mode (which has no SNS). */
  publish?: (topicArn: string, notification: Notification) => Promise<void>;
  boundMs?: number;
}

/** The named destinations, each a sender; an unknown name (a job naming one the settings lack) fails with its reason. */
export function createNotifier(o: NotifierOptions): Notifier {
  const boundMs = o.boundMs ?? NOTIFY_BOUND_MS;
  const senders = new Map<string, (n: Notification) => Promise<void>>();
  for (const [name, d] of Object.entries(o.destinations)) {
    if ('webhook' in d) senders.set(name, createWebhookSender({ url: d.webhook, mode: o.mode, secret: o.webhookSecret, timeoutMs: boundMs }));
    else if (o.publish) senders.set(name, (n) => o.publish!(d.sns, n));
    else throw new Error(`keylaunch: destination ${name} is an SNS topic, which needs AWS mode`);
  }
  return {
    everyEvent: o.everyEvent,
    boundMs,
    send(destination, notification) {
      const send = senders.get(destination);
      if (!send) return Promise.reject(new NotifyFailure('unknown_destination', `no destination named ${destination} in the notification settings`));
      return send(notification);
    },
  };
}
