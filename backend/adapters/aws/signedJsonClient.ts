import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import aws4 from 'aws4';
import type { AwsCredentials } from './awsEnvironment';

/**
 * A small client for the AWS JSON protocol (POST, `X-Amz-Target`, JSON in and out), for the two services
 * every Lambda cold start talks to: DynamoDB and Secrets Manager. The full SDK costs a cold start ~200 KB
 * of code and a slow first request (`npm run bench`, (c)); the rest of the verifier keeps the SDK.
 * Requests are signed with aws4 (a small, dependency-free SigV4 library), never by hand; the test
 * stand-ins (tests/support/awsFakes.ts) re-sign every request with the SDK's own signer and compare.
 * (The SDK's signer itself would share its helper modules with the lazily loaded SDK clients, and a
 * shared module is loaded whole: ~70 KB more at every cold start.) Errors look like the SDK's (`name`, `$metadata`), so callers cannot tell them apart.
 */
export interface SignedJsonClient {
  call<T = Record<string, unknown>>(operation: string, body: object): Promise<T>;
}

export interface SignedJsonClientOptions {
  /** e.g. `https://dynamodb.eu-west-1.amazonaws.com` (see awsEnvironment.ts for the endpoint variables). */
  endpoint: string;
  region: string;
  /** The service's SigV4 signing name: `dynamodb`, `secretsmanager`. */
  signingName: string;
  /** The X-Amz-Target prefix: `DynamoDB_20120810`, `secretsmanager`. */
  targetPrefix: string;
  jsonVersion: '1.0' | '1.1';
  credentials: () => AwsCredentials;
  /** Attempts for throttling and 5xx answers (a 4xx is final). */
  maxAttempts?: number;
  timeoutMs?: number;
}

const RETRYABLE = /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|TooManyRequests|InternalServerError|ServiceUnavailable|InternalFailure/;
const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 50 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 50 }) };

export function createSignedJsonClient(o: SignedJsonClientOptions): SignedJsonClient {
  const url = new URL(o.endpoint);
  const maxAttempts = o.maxAttempts ?? 3;

  function attempt(operation: string, payload: string) {
    const signed = aws4.sign(
      {
        host: url.hostname,
        path: url.pathname,
        method: 'POST',
        service: o.signingName,
        region: o.region,
        headers: {
          Host: url.host,
          'Content-Type': `application/x-amz-json-${o.jsonVersion}`,
          'X-Amz-Target': `${o.targetPrefix}.${operation}`,
          'Content-Length': String(Buffer.byteLength(payload)),
        },
        body: payload,
      },
      o.credentials(),
    );
    return send(url, signed.headers as Record<string, string>, payload, o.timeoutMs ?? 10_000);
  }

  return {
    async call<T>(operation: string, body: object): Promise<T> {
      const payload = JSON.stringify(body);
      for (let n = 1; ; n++) {
        const res = await attempt(operation, payload).catch((cause: Error) => ({ status: 0, requestId: undefined, text: '', cause }));
        const answer = res.status === 200 ? jsonObject(res.text) : undefined;
        if (answer) return answer as T;
        // A 200 that is not a JSON object (a proxy's page, a cut-off body) is the service failing, not us.
        const error = res.status === 200 ? awsError({ ...res, status: 502, text: '{"__type":"InvalidResponse","message":"the answer was not a JSON object"}' }) : awsError(res);
        if (n >= maxAttempts || !(error.$fault === 'server' || RETRYABLE.test(error.name))) throw error;
        await new Promise((r) => setTimeout(r, 50 * 2 ** n * Math.random()));
      }
    },
  };
}

function jsonObject(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

interface Answer {
  status: number;
  requestId: string | undefined;
  text: string;
  cause?: Error;
}

function send(url: URL, headers: Record<string, string>, payload: string, timeoutMs: number): Promise<Answer> {
  const https = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      { method: 'POST', hostname: url.hostname, port: url.port || (https ? 443 : 80), path: url.pathname, headers, agent: https ? agents.https : agents.http, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, requestId: String(res.headers['x-amzn-requestid'] ?? '') || undefined, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.host} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** An AWS error as the SDK shapes it: `name` from `__type` (after any `#`), `message`, `$metadata`. */
function awsError(res: Answer): Error & { $fault: 'server' | 'client' } {
  let body: { __type?: string; message?: string; Message?: string } = {};
  try {
    body = JSON.parse(res.text);
  } catch {
    // not JSON (a proxy's page, a timeout): the status says enough
  }
  const name = (body.__type ?? (res.cause ? 'NetworkingError' : `Http${res.status}`)).split('#').pop()!;
  const message = body.message ?? body.Message ?? res.cause?.message ?? `HTTP ${res.status}`;
  return Object.assign(new Error(message, res.cause ? { cause: res.cause } : {}), {
    name,
    $fault: (res.status >= 500 || res.status === 0 ? 'server' : 'client') as 'server' | 'client',
    $metadata: { httpStatusCode: res.status || undefined, requestId: res.requestId },
  });
}
