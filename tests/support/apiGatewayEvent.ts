/**
 * An API Gateway REST API proxy event (payload format 1.0), as the platform hands it to the verifier's
 * Lambda handler: the path without the stage, the caller's address in requestContext.identity.
 */
export function restApiEvent(o: { sourceIp: string; method?: string; path?: string; body?: string; base64?: boolean; headers?: Record<string, string>; query?: Record<string, string> }) {
  const method = o.method ?? 'POST';
  const path = o.path ?? '/v1/unlock/options';
  const headers = { 'Content-Type': 'application/json', Host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'X-Forwarded-For': o.sourceIp, ...o.headers };
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: o.query ?? null,
    multiValueQueryStringParameters: o.query ? Object.fromEntries(Object.entries(o.query).map(([k, v]) => [k, [v]])) : null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: {
      resourceId: 'abc123',
      resourcePath: '/{proxy+}',
      httpMethod: method,
      extendedRequestId: 'K7QXexample=',
      requestTime: '22/Nov/2026:09:00:00 +0000',
      path: `/prod${path}`,
      accountId: '123456789012',
      protocol: 'HTTP/1.1',
      stage: 'prod',
      domainPrefix: 'abc123',
      requestTimeEpoch: Date.now(),
      requestId: `c6af9ac6-7b61-11e6-9a41-${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}`,
      identity: { sourceIp: o.sourceIp, userAgent: 'keylaunch-desktop', accessKey: null, accountId: null, caller: null, user: null, userArn: null },
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      apiId: 'abc123',
    },
    body: o.body ?? null,
    isBase64Encoded: o.base64 ?? false,
  };
}
