import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSignedJsonClient } from '../../../../backend/adapters/aws/signedJsonClient';
import { credentialsFromEnvironment, serviceEndpoint } from '../../../../backend/adapters/aws/awsEnvironment';

/** The small signed client against a scripted server: what AWS answers, and what goes wrong on the way. */
let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(answers: ((body: string) => { status: number; body?: string; hang?: boolean })[]) {
  const seen: { target: string; body: string; auth: string; token: string }[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ target: String(req.headers['x-amz-target']), body, auth: String(req.headers.authorization), token: String(req.headers['x-amz-security-token'] ?? '') });
      const a = (answers[seen.length - 1] ?? answers.at(-1)!)(body);
      if (a.hang) return;
      res.writeHead(a.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `req-${seen.length}` }).end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const client = createSignedJsonClient({
    endpoint: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    signingName: 'dynamodb',
    targetPrefix: 'DynamoDB_20120810',
    jsonVersion: '1.0',
    credentials: () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 's', sessionToken: 'session-token' }),
    timeoutMs: 300,
  });
  return { client, seen };
}

describe('the signed JSON client', () => {
  it('sends the operation as X-Amz-Target, signed for the service and region, with the session token', async () => {
    const { client, seen } = await serve([() => ({ status: 200, body: '{"Item":{"pk":{"S":"a"}}}' })]);
    expect(await client.call('GetItem', { TableName: 't' })).toEqual({ Item: { pk: { S: 'a' } } });
    expect(seen[0]).toMatchObject({ target: 'DynamoDB_20120810.GetItem', body: '{"TableName":"t"}', token: 'session-token' });
    expect(seen[0]!.auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-security-token[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
  });

  it('turns an AWS error into an error shaped like the SDK\u2019s, and never retries a 4xx', async () => {
    const { client, seen } = await serve([() => ({ status: 400, body: '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}' })]);
    const error = await client.call('UpdateItem', {}).catch((e) => e);
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', message: 'The conditional request failed', $fault: 'client', $metadata: { httpStatusCode: 400, requestId: 'req-1' } });
    expect(seen).toHaveLength(1);
  });

  it('retries throttling and 5xx answers, then gives up with the last error', async () => {
    const throttled = () => ({ status: 400, body: '{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}' });
    const { client, seen } = await serve([throttled, () => ({ status: 500, body: '{"__type":"InternalServerError","message":"oops"}' }), () => ({ status: 200, body: '{}' })]);
    expect(await client.call('PutItem', {})).toEqual({});
    expect(seen).toHaveLength(3);

    const again = await serve([() => ({ status: 503, body: 'Service Unavailable' })]);
    const error = await again.client.call('PutItem', {}).catch((e) => e);
    expect(error).toMatchObject({ name: 'Http503', $fault: 'server', $metadata: { httpStatusCode: 503 } });
    expect(again.seen).toHaveLength(3);
  });

  it('takes a 200 that is not a JSON object for a failing service: retried, then an error with $metadata, never a parse crash', async () => {
    for (const body of ['<html>gateway</html>', '{"Item":', 'null', '[1]']) {
      const { client, seen } = await serve([() => ({ status: 200, body })]);
      const error = await client.call('GetItem', {}).catch((e) => e);
      expect(error).toMatchObject({ name: 'InvalidResponse', $fault: 'server', $metadata: { requestId: 'req-3' } });
      expect(seen).toHaveLength(3);
      await new Promise<void>((r) => server!.close(() => r()));
      server = undefined;
    }
  });

  it('gives up on a server that does not answer, with a networking error that carries $metadata', async () => {
    const { client } = await serve([() => ({ status: 200, hang: true })]);
    const error = await client.call('GetItem', {}).catch((e) => e);
    expect(error.name).toBe('NetworkingError');
    expect(error.message).toMatch(/no answer .* within 300 ms/);
    expect(error.$metadata).toBeDefined(); // the verifier maps errors with $metadata to storage_unavailable
  });
});

describe('the AWS environment', () => {
  it('takes the endpoint from the service variable, then the global one, then the region', () => {
    expect(serviceEndpoint({ AWS_ENDPOINT_URL_DYNAMODB: 'http://a', AWS_ENDPOINT_URL: 'http://b' }, { service: 'DYNAMODB', host: 'dynamodb', region: 'eu-west-1' })).toBe('http://a');
    expect(serviceEndpoint({ AWS_ENDPOINT_URL: 'http://b' }, { service: 'DYNAMODB', host: 'dynamodb', region: 'eu-west-1' })).toBe('http://b');
    expect(serviceEndpoint({}, { service: 'SECRETS_MANAGER', host: 'secretsmanager', region: 'us-gov-west-1' })).toBe('https://secretsmanager.us-gov-west-1.amazonaws.com');
    expect(() => serviceEndpoint({}, { service: 'DYNAMODB', host: 'dynamodb', region: 'evil.example/x' })).toThrow('not a region name');
  });

  it('reads credentials from the variables Lambda sets, and says so when they are missing', () => {
    expect(credentialsFromEnvironment({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', AWS_SESSION_TOKEN: 'c' })()).toEqual({ accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'c' });
    expect(() => credentialsFromEnvironment({})()).toThrow('no AWS credentials');
  });
});
