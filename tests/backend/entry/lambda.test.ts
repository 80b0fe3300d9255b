import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalDynamo } from '../../../backend/local/localDynamo';
import { sampleJobs } from '../../support/sampleJobs';

/**
 * The Function URL handler as Lambda calls it: a payload-format-2.0 event in, a result out, over the
 * real DynamoDB protocol (the SDK's own AWS_ENDPOINT_URL_DYNAMODB points it at dynalite).
 */
let dynamo: Awaited<ReturnType<typeof startLocalDynamo>>;
let handler: (event: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;

beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'kl-lambda' });
  const dir = mkdtempSync(join(tmpdir(), 'kl-lambda-'));
  writeFileSync(join(dir, 'jobs.json'), JSON.stringify({ jobs: sampleJobs }));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    KEYLAUNCH_TABLE: 'kl-lambda',
    KEYLAUNCH_JOBS_FILE: join(dir, 'jobs.json'),
    KEYLAUNCH_CONFIG: JSON.stringify({
      rpId: 'keylaunch.test',
      origins: ['https://keylaunch.test'],
      sessionSecret: randomBytes(32).toString('base64'),
      allowedCidrs: ['203.0.113.0/24'],
    }),
  });
  ({ handler } = await import('../../../backend/entry/lambda'));
});
afterAll(() => dynamo.close());

const event = (o: { sourceIp: string; method?: string; path?: string; body?: string; base64?: boolean; headers?: Record<string, string> }) => ({
  version: '2.0',
  rawPath: o.path ?? '/v1/unlock/options',
  rawQueryString: '',
  headers: { 'content-type': 'application/json', ...o.headers },
  body: o.body,
  isBase64Encoded: o.base64 ?? false,
  requestContext: { http: { method: o.method ?? 'POST', sourceIp: o.sourceIp, path: o.path ?? '/v1/unlock/options' } },
});

describe('the Lambda Function URL handler', () => {
  it('judges the platform source address, not X-Forwarded-For', async () => {
    const refused = await handler(event({ sourceIp: '198.51.100.7', body: '{"userName":"a"}', headers: { 'x-forwarded-for': '203.0.113.9' } }));
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body).error.code).toBe('ip_not_allowed');
    const allowed = await handler(event({ sourceIp: '203.0.113.9', body: '{"userName":"a"}', headers: { 'x-forwarded-for': '198.51.100.7' } }));
    expect(allowed.statusCode).toBe(200);
    expect(JSON.parse(allowed.body).options.rpId).toBe('keylaunch.test');
  });

  it('decodes base64 bodies, and refuses oversized ones and unrecognized events with 4xx', async () => {
    const b64 = await handler(event({ sourceIp: '203.0.113.9', body: Buffer.from('{"userName":"b"}').toString('base64'), base64: true }));
    expect(b64.statusCode).toBe(200);
    const big = await handler(event({ sourceIp: '203.0.113.9', body: Buffer.alloc(100_000, 'a').toString('base64'), base64: true }));
    expect(big.statusCode).toBe(413);
    const junk = await handler({ hello: 'world' });
    expect(junk.statusCode).toBe(400);
    expect(JSON.parse(junk.body).error.code).toBe('bad_request');
  });
});

describe('refusals before identification, in Lambda', () => {
  it('write no DynamoDB row: one EMF log line on stdout (a CloudWatch metric) instead', async () => {
    const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
    const auditRows = async () => (await dynamo.documents.send(new QueryCommand({ TableName: 'kl-lambda', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'AUDIT' } }))).Items ?? [];
    const before = (await auditRows()).length;
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const refused = await handler(event({ sourceIp: '198.51.100.7', body: '{"userName":"a"}' }));
      expect(refused.statusCode).toBe(403);
      const lines = log.mock.calls.map((c) => JSON.parse(String(c[0])));
      expect(lines).toEqual([
        expect.objectContaining({
          _aws: { Timestamp: expect.any(Number), CloudWatchMetrics: [{ Namespace: 'keylaunch', Dimensions: [['code']], Metrics: [{ Name: 'Refused', Unit: 'Count' }] }] },
          code: 'ip_not_allowed',
          Refused: 1,
          sourceIp: '198.51.100.7',
        }),
      ]);
    } finally {
      log.mockRestore();
    }
    expect((await auditRows()).length).toBe(before);
  });
});
