import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnsPublisher } from '../../../../backend/adapters/notify/snsPublisher';
import { NotifyFailure, type Notification } from '../../../../backend/core/notification';
import { AwsFault, FAKE_CREDENTIALS, startAwsFakes, type AwsFakes } from '../../../support/awsFakes';

/**
 * SNS Publish over aws4 in the query protocol, against the recording stand-in, which re-signs every
 * request with the SDK's own SigV4 signer (a request AWS would refuse fails here too).
 */
const REGION = 'eu-west-1';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:keylaunch-ops';
const event: Notification = { v: 1, id: 'evt_0123456789abcdef', type: 'request.waiting', at: '2026-11-22T10:00:00.000Z', job: 'nightly', requestId: 'req_1', fingerprint: 'ABCD-EFGH', requester: 'ada' };
let aws: AwsFakes;
beforeAll(async () => {
  aws = await startAwsFakes({ region: REGION });
});
afterAll(() => aws?.close());
const publisher = () => createSnsPublisher({ endpoint: aws.env.AWS_ENDPOINT_URL_SNS!, region: REGION, credentials: () => FAKE_CREDENTIALS, timeoutMs: 5_000 });

describe('SNS publisher', () => {
  it('publishes the event as the message, with its type and job as attributes for filter policies', async () => {
    await publisher()(TOPIC, event);
    expect(aws.problems).toEqual([]);
    expect(aws.callsTo('sns', 'Publish').map((c) => c.input)).toEqual([
      {
        TopicArn: TOPIC,
        Subject: 'keylaunch request.waiting nightly',
        Message: JSON.stringify(event),
        'MessageAttributes.entry.1.Name': 'event',
        'MessageAttributes.entry.1.Value.DataType': 'String',
        'MessageAttributes.entry.1.Value.StringValue': 'request.waiting',
        'MessageAttributes.entry.2.Name': 'job',
        'MessageAttributes.entry.2.Value.DataType': 'String',
        'MessageAttributes.entry.2.Value.StringValue': 'nightly',
      },
    ]);
  });

  it('a FIFO topic gets a group and the event id as its deduplication id', async () => {
    await publisher()(`${TOPIC}.fifo`, { ...event, job: undefined, type: 'key.added', user: 'ada' });
    expect(aws.callsTo('sns', 'Publish').at(-1)!.input).toMatchObject({ TopicArn: `${TOPIC}.fifo`, MessageGroupId: 'keylaunch', MessageDeduplicationId: event.id, Subject: 'keylaunch key.added' });
  });

  it('an AWS refusal is a NotifyFailure naming its code', async () => {
    aws.answer('sns', 'Publish', () => new AwsFault('AuthorizationError', 'User is not authorized to perform: SNS:Publish', 403));
    const error = await publisher()(TOPIC, event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotifyFailure);
    expect(error).toMatchObject({ reason: 'aws_error', message: `SNS Publish to ${TOPIC} failed: AuthorizationError` });
  });

  it('no endpoint listening is `unreachable`', async () => {
    const send = createSnsPublisher({ endpoint: 'http://127.0.0.1:9', region: REGION, credentials: () => FAKE_CREDENTIALS, timeoutMs: 5_000 });
    expect(await send(TOPIC, event).catch((e: NotifyFailure) => e.reason)).toBe('unreachable');
  });
});
