import * as z from 'zod';
import { createAwsVerifier } from './awsVerifier';
import type { ApiResponse } from '../api/handleApiRequest';

/**
 * The Lambda handler behind the API Gateway REST API (proxy integration, payload format 1.0): parse the
 * event, hand it to the verifier, map the answer. The source address is the platform's
 * requestContext.identity.sourceIp, never a header (docs/security.md, property 9). The path is `event.path`, which
 * API Gateway gives without the stage or a custom domain's base path.
 */
const eventSchema = z.object({
  httpMethod: z.string().min(1).max(16),
  path: z.string().max(2048),
  headers: z.record(z.string(), z.string()).nullish(),
  queryStringParameters: z.record(z.string(), z.string()).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().default(false),
  requestContext: z.object({ identity: z.object({ sourceIp: z.string().min(1).max(64) }) }),
});

const verifier = await createAwsVerifier(process.env);

export async function handler(event: unknown): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) return toResult({ status: 400, headers: {}, body: JSON.stringify({ error: { code: 'bad_request', message: 'Unrecognized event.' } }) });
  const e = parsed.data;
  const response = await verifier.handle({
    method: e.httpMethod.toUpperCase(),
    path: e.path,
    query: { ...e.queryStringParameters },
    headers: Object.fromEntries(Object.entries(e.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    body: e.body == null ? undefined : e.isBase64Encoded ? Buffer.from(e.body, 'base64').toString('utf8') : e.body,
    sourceIp: e.requestContext.identity.sourceIp,
  });
  return toResult(response);
}

const toResult = (r: ApiResponse) => ({ statusCode: r.status, headers: { 'content-type': 'application/json', ...r.headers }, body: r.body });
