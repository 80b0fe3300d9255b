import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { ACCOUNT, CIDRS, REGION, onlyId, render, synth } from './synth';

/**
 * Issue 11 §1: nothing from outside the allowlist reaches Lambda. The API's resource policy denies it
 * before any invocation; the function can be invoked by that API alone; there is no Function URL.
 */
const regional = synth();
const api = onlyId(regional, 'AWS::ApiGateway::RestApi');
const stage = onlyId(regional, 'AWS::ApiGateway::Stage');
const fn = onlyId(regional, 'AWS::Lambda::Function');
const refs = { [api]: 'abc123', [stage]: 'live', 'AWS::Partition': 'aws' };
const CERT = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/12345678-1234-1234-1234-123456789012`;

const policyOf = (t = regional) => (Object.values(t.findResources('AWS::ApiGateway::RestApi'))[0] as any).Properties.Policy.Statement as any[];

describe('the verifier behind a regional REST API', () => {
  it('has no Function URL: the API is the only way in', () => {
    regional.resourceCountIs('AWS::Lambda::Url', 0);
    regional.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    regional.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] }, DisableExecuteApiEndpoint: false });
  });

  it('its resource policy denies every source outside allowedCidrs, and allows nothing else', () => {
    const statements = policyOf();
    expect(statements).toEqual([
      { Sid: 'AllowInvoke', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
      { Sid: 'DenyOutsideAllowlist', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { NotIpAddress: { 'aws:SourceIp': CIDRS } } },
    ]);
  });

  it('throttles the stage at the settings’ rate and burst', () => {
    regional.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'live',
      MethodSettings: [Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 })],
    });
    synth({ throttle: { rateLimit: 2.5, burstLimit: 5 } }).hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 2.5, ThrottlingBurstLimit: 5 })],
    });
  });

  it('reaches the function only for /v1/…, through the Lambda proxy integration (payload 1.0)', () => {
    const methods = Object.values(regional.findResources('AWS::ApiGateway::Method')) as any[];
    expect(methods).toHaveLength(1);
    expect(methods[0].Properties).toMatchObject({ HttpMethod: 'ANY', AuthorizationType: 'NONE', Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' } });
    expect(JSON.stringify(methods[0].Properties.Integration.Uri)).toContain(fn);
    const paths = Object.values(regional.findResources('AWS::ApiGateway::Resource')).map((r: any) => r.Properties.PathPart);
    expect(paths.sort()).toEqual(['v1', '{proxy+}']);
  });

  it('lets only this API’s stage invoke the function: every permission names the API as its source', () => {
    const permissions = Object.values(regional.findResources('AWS::Lambda::Permission')) as any[];
    expect(permissions.length).toBeGreaterThan(0);
    for (const p of permissions) {
      expect(p.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] } });
      expect(render(p.Properties.SourceArn, refs)).toBe(`arn:aws:execute-api:${REGION}:${ACCOUNT}:abc123/live/*/v1/*`);
    }
  });

  it('answers what it refuses itself in the verifier’s error format, with the same codes', () => {
    const responses = Object.values(regional.findResources('AWS::ApiGateway::GatewayResponse')).map((r: any) => r.Properties);
    const byType = Object.fromEntries(responses.map((r) => [r.ResponseType, r]));
    const codeOf = (type: string) => /"code":"([a-z_]+)"/.exec(byType[type].ResponseTemplates['application/json'])?.[1];
    expect({ status: byType.ACCESS_DENIED.StatusCode, code: codeOf('ACCESS_DENIED') }).toEqual({ status: '403', code: 'ip_not_allowed' });
    expect({ status: byType.THROTTLED.StatusCode, code: codeOf('THROTTLED') }).toEqual({ status: '429', code: 'rate_limited' });
    expect(byType.THROTTLED.ResponseParameters['gatewayresponse.header.Retry-After']).toBe("'1'");
    expect({ status: byType.MISSING_AUTHENTICATION_TOKEN.StatusCode, code: codeOf('MISSING_AUTHENTICATION_TOKEN') }).toEqual({ status: '404', code: 'not_found' });
    expect(codeOf('REQUEST_TOO_LARGE')).toBe('payload_too_large');
    for (const r of responses) {
      expect(r.ResponseParameters['gatewayresponse.header.Cache-Control']).toBe("'no-store'");
      // The templates are JSON once API Gateway fills in its one variable (a quoted JSON string).
      expect(() => JSON.parse(r.ResponseTemplates['application/json'].replace('$context.error.messageString', '"x"'))).not.toThrow();
    }
  });

  it('the verifier’s origin and rpId are the API’s own host; the URL is the stage URL', () => {
    const env = (Object.values(regional.findResources('AWS::Lambda::Function'))[0] as any).Properties.Environment.Variables;
    const host = `abc123.execute-api.${REGION}.amazonaws.com`;
    expect(JSON.parse(render(env.KEYLAUNCH_CONFIG, refs))).toEqual({ rpId: host, origins: [`https://${host}`], allowedCidrs: CIDRS });
    expect(render(regional.toJSON().Outputs.VerifierUrl.Value, refs)).toBe(`https://${host}/live`);
    // One URL output: the one deploy reads.
    expect(Object.keys(regional.toJSON().Outputs).filter((k) => JSON.stringify(regional.toJSON().Outputs[k]).includes('execute-api'))).toEqual(['VerifierUrl']);
  });
});

describe('the private variant', () => {
  const t = synth({ endpoint: 'private', vpcEndpointId: 'vpce-0123456789abcdef0' });

  it('is a PRIVATE endpoint whose policy denies every request not through the VPC endpoint', () => {
    t.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['PRIVATE'], VpcEndpointIds: ['vpce-0123456789abcdef0'] } });
    expect(policyOf(t)[1]).toEqual({
      Sid: 'DenyOutsideVpcEndpoint',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'execute-api:Invoke',
      Resource: 'execute-api:/*',
      Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } },
    });
    t.resourceCountIs('AWS::Lambda::Url', 0);
  });

  it('keeps the allowlist as the verifier’s second layer', () => {
    const env = (Object.values(t.findResources('AWS::Lambda::Function'))[0] as any).Properties.Environment.Variables;
    expect(JSON.stringify(env.KEYLAUNCH_CONFIG)).toContain(JSON.stringify(CIDRS).replace(/"/g, '\\"'));
  });
});

describe('a custom domain', () => {
  const t = synth({ customDomain: { domainName: 'keylaunch.example.com', certificateArn: CERT } });

  it('serves the verifier at the domain’s root with the ACM certificate, TLS 1.2, and closes the execute-api URL', () => {
    t.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'keylaunch.example.com', RegionalCertificateArn: CERT, EndpointConfiguration: { Types: ['REGIONAL'] }, SecurityPolicy: 'TLS_1_2' });
    const mapping = (Object.values(t.findResources('AWS::ApiGateway::BasePathMapping'))[0] as any).Properties;
    expect(mapping.BasePath).toBeUndefined();
    expect(mapping.Stage).toEqual({ Ref: onlyId(t, 'AWS::ApiGateway::Stage') });
    t.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
  });

  it('makes the domain the verifier’s origin and rpId, and the URL the desktop uses', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KEYLAUNCH_CONFIG: JSON.stringify({ rpId: 'keylaunch.example.com', origins: ['https://keylaunch.example.com'], allowedCidrs: CIDRS }) }) },
    });
    t.hasOutput('VerifierUrl', { Value: 'https://keylaunch.example.com' });
    t.hasOutput('CustomDomainTarget', { Value: { 'Fn::GetAtt': [onlyId(t, 'AWS::ApiGateway::DomainName'), 'RegionalDomainName'] } });
  });

  it('a parent domain as rpId, when the settings name one (keys enrolled under it keep working)', () => {
    synth({ customDomain: { domainName: 'keylaunch.example.com', certificateArn: CERT }, rpId: 'example.com' }).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KEYLAUNCH_CONFIG: JSON.stringify({ rpId: 'example.com', origins: ['https://keylaunch.example.com'], allowedCidrs: CIDRS }) }) },
    });
  });

  it('still denies every source outside the allowlist', () => {
    expect(policyOf(t)[1].Condition).toEqual({ NotIpAddress: { 'aws:SourceIp': CIDRS } });
  });
});
