import * as z from 'zod';
import { webhookUrlProblem, type WebhookMode } from './webhookUrl';

/**
 * Issue 16 §3: named notification destinations and which of them hear every event. One shape for the
 * deploy settings (`notifications`), local mode's config (`.keylaunch/local.json`) and what the stack
 * hands the function (KEYLAUNCH_NOTIFY): each is input, checked in full. Jobs name destinations, never
 * URLs (job.ts `notify`).
 */
export const destinationName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a destination name: lowercase letters, digits, dashes');

export const snsTopicArn = z.string().regex(/^arn:aws(-cn|-us-gov)?:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, 'an SNS topic ARN');

export const webhookUrl = (mode: WebhookMode) =>
  z
    .string()
    .max(2048)
    .superRefine((value, ctx) => {
      const problem = webhookUrlProblem(value, mode);
      if (problem) ctx.addIssue({ code: 'custom', message: `webhook ${problem}` });
    });

/** `sns`: in the deploy settings, `"create"` (the stack makes the topic) or a topic ARN; at run time an ARN. */
function notifySchema<S extends z.ZodType<string>>(sns: S | undefined, mode: WebhookMode) {
  const destination = sns ? z.union([z.strictObject({ sns }), z.strictObject({ webhook: webhookUrl(mode) })]) : z.strictObject({ webhook: webhookUrl(mode) });
  return z
    .strictObject({
      destinations: z.record(destinationName, destination).refine((d) => Object.keys(d).length <= 10, 'at most 10 destinations'),
      /** Destinations told of every event; a job adds its own (`notify`) for its requests and runs. */
      everyEvent: z.array(destinationName).max(10).default([]),
    })
    .superRefine((n, ctx) => {
      n.everyEvent.forEach((name, i) => {
        if (!(name in n.destinations)) ctx.addIssue({ code: 'custom', path: ['everyEvent', i], message: `no destination named ${name}` });
      });
    });
}

export const deployNotifySchema = notifySchema(z.union([z.literal('create'), snsTopicArn]), 'aws');
export const runtimeNotifySchema = notifySchema(snsTopicArn, 'aws');
/** Local mode has no AWS: webhooks only, and http to loopback allowed. */
export const localNotifySchema = notifySchema(undefined, 'local');

export type DeployNotifySettings = z.output<typeof deployNotifySchema>;
export type NotifyConfig = z.output<typeof runtimeNotifySchema>;
