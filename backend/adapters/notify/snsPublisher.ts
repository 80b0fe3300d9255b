import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import aws4 from 'aws4';
import { NotifyFailure, type Notification } from '../../core/notification';
import type { AwsCredentials } from '../aws/awsEnvironment';

/**
 * Publishes a notification to an SNS topic: one `Publish` in SNS's query protocol (form fields in, XML
 * out), signed with aws4 like the small JSON client (adapters/aws/signedJsonClient.ts), so a cold start
 * loads no SDK client for it (`npm run bench`, (c)). The message is the same JSON body a webhook gets;
 * the event type (and job) are message attributes, for subscription filter policies. Only the answer's
 * status is read; its error code is picked out for the operator's log line.
 */
export interface SnsPublisherOptions {
  /** e.g. `https://sns.eu-west-1.amazonaws.com` (awsEnvironment.ts `serviceEndpoint`). */
  endpoint: string;
  region: string;
  credentials: () => AwsCredentials;
  timeoutMs: number;
}

export function createSnsPublisher(o: SnsPublisherOptions): (topicArn: string, notification: Notification) => Promise<void> {
  const url = new URL(o.endpoint);
  return async (topicArn, notification) => {
    const form = new URLSearchParams({
      Action: 'Publish',
      Version: '2010-03-31',
      TopicArn: topicArn,
      Subject: `keylaunch ${notification.type}${notification.job ? ` ${notification.job}` : ''}`.slice(0, 100),
      Message: JSON.stringify(notification),
      'MessageAttributes.entry.1.Name': 'event',
      'MessageAttributes.entry.1.Value.DataType': 'String',
      'MessageAttributes.entry.1.Value.StringValue': notification.type,
      ...(notification.job ? { 'MessageAttributes.entry.2.Name': 'job', 'MessageAttributes.entry.2.Value.DataType': 'String', 'MessageAttributes.entry.2.Value.StringValue': notification.job } : {}),
    });
    // A FIFO topic refuses a message without a group; the event id makes a retried publish one message.
    if (topicArn.endsWith('.fifo')) {
      form.set('MessageGroupId', 'keylaunch');
      form.set('MessageDeduplicationId', notification.id);
    }
    const body = form.toString();
    let credentials: AwsCredentials;
    try {
      credentials = o.credentials();
    } catch (cause) {
      throw new NotifyFailure('aws_error', 'no AWS credentials to publish with', { cause });
    }
    const signed = aws4.sign(
      {
        host: url.hostname,
        path: url.pathname,
        method: 'POST',
        service: 'sns',
        region: o.region,
        headers: { Host: url.host, 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) },
        body,
      },
      credentials,
    );
    const { status, text } = await post(url, signed.headers as Record<string, string>, body, o.timeoutMs);
    if (status !== 200) {
      const code = /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(text)?.[1] ?? `HTTP ${status}`;
      throw new NotifyFailure('aws_error', `SNS Publish to ${topicArn} failed: ${code}`);
    }
  };
}

function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const https = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      { method: 'POST', hostname: url.hostname, port: url.port || (https ? 443 : 80), path: url.pathname, headers },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // An error document is small; more than this is not SNS answering.
          if ((size += c.length) <= 16_384) chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(deadline);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (cause) => reject(new NotifyFailure('unreachable', 'the answer from SNS broke off', { cause })));
      },
    );
    // The whole exchange, answer included, within the bound (an idle timeout would not end a slow answer).
    const deadline = setTimeout(() => {
      const late = new NotifyFailure('timeout', `no answer from SNS within ${timeoutMs} ms`);
      reject(late);
      req.destroy(late);
    }, timeoutMs);
    deadline.unref();
    req.on('error', (error) => (clearTimeout(deadline), reject(error instanceof NotifyFailure ? error : new NotifyFailure('unreachable', error.message, { cause: error }))));
    req.end(body);
  });
}
