import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { STAGE_NAME, type DeploySettings } from './settings';

/**
 * The verifier's edge: an API Gateway REST API whose resource policy denies every source outside the
 * allowlist (or, private, every request not through the one VPC endpoint) before Lambda is invoked, so a
 * refused request costs no invocation, no DynamoDB write and no concurrency. A Lambda resource policy
 * cannot do this (it has no aws:SourceIp), hence REST and not a Function URL or an HTTP API (which has no
 * resource policy). Stage throttling caps what even allowed sources can send; the verifier keeps its own
 * allowlist check as a second layer, on the address API Gateway reports.
 */
export class VerifierApi extends Construct {
  /** Where the desktop calls: the stage URL, or https://<custom domain> (no trailing slash). */
  readonly url: string;
  /** The verifier's origin, which is also the app's origin, and its host (the rpId). */
  readonly origin: string;
  readonly host: string;
  readonly api: apigw.RestApi;
  readonly domain?: apigw.DomainName;

  constructor(scope: Construct, id: string, props: { settings: DeploySettings; handler: lambda.IFunction }) {
    super(scope, id);
    const { settings } = props;
    const isPrivate = settings.endpoint === 'private';
    const invokeAnything = { principals: [new iam.AnyPrincipal()], actions: ['execute-api:Invoke'], resources: ['execute-api:/*'] };
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({ sid: 'AllowInvoke', ...invokeAnything }),
        // An explicit deny wins over the allow: nothing outside the allowlist reaches Lambda.
        isPrivate
          ? new iam.PolicyStatement({ sid: 'DenyOutsideVpcEndpoint', effect: iam.Effect.DENY, ...invokeAnything, conditions: { StringNotEquals: { 'aws:SourceVpce': settings.vpcEndpointId! } } })
          : new iam.PolicyStatement({ sid: 'DenyOutsideAllowlist', effect: iam.Effect.DENY, ...invokeAnything, conditions: { NotIpAddress: { 'aws:SourceIp': settings.allowedCidrs } } }),
      ],
    });

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `${settings.stackName}-verifier`,
      description: 'keylaunch verifier',
      endpointConfiguration: isPrivate
        ? { types: [apigw.EndpointType.PRIVATE], vpcEndpoints: [ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(this, 'Vpce', { vpcEndpointId: settings.vpcEndpointId!, port: 443 })] }
        : { types: [apigw.EndpointType.REGIONAL] },
      policy,
      // With a custom domain, that is the only way in: one origin, one rpId.
      disableExecuteApiEndpoint: !!settings.customDomain,
      cloudWatchRole: false,
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: settings.throttle.rateLimit,
        throttlingBurstLimit: settings.throttle.burstLimit,
        metricsEnabled: true,
      },
    });
    // CDK's own "Endpoint" output names the stage URL even when it is switched off: VerifierUrl is the one answer.
    this.api.node.tryRemoveChild('Endpoint');
    // Only /v1/… reaches the function; any other path is answered by API Gateway (404 below) for nothing.
    // The Lambda proxy integration (payload 1.0) gives the verifier requestContext.identity.sourceIp.
    const integration = new apigw.LambdaIntegration(props.handler, { proxy: true, allowTestInvoke: false });
    this.api.root.addResource('v1').addProxy({ anyMethod: true, defaultIntegration: integration });
    addRefusals(this.api);

    const suffix = settings.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    if (settings.customDomain) {
      const { domainName, certificateArn } = settings.customDomain;
      this.domain = new apigw.DomainName(this, 'Domain', {
        domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn),
        endpointType: apigw.EndpointType.REGIONAL,
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
      });
      // No base path: the verifier is the domain's root, so paths are the same as on the stage URL.
      this.domain.addBasePathMapping(this.api, { stage: this.api.deploymentStage, attachToStage: false });
      this.host = domainName;
      this.origin = `https://${domainName}`;
      this.url = this.origin;
    } else {
      // Built from the API's id, not api.url: the function's environment needs the origin, and api.url
      // names the stage, which depends on the function (a cycle).
      this.host = `${this.api.restApiId}.execute-api.${settings.region}.${suffix}`;
      this.origin = `https://${this.host}`;
      this.url = `${this.origin}/${STAGE_NAME}`;
    }
  }
}

/**
 * What API Gateway answers itself speaks the verifier's error format (docs/api.md), so a client sees the
 * same stable codes whether the gateway or the function refused.
 */
function addRefusals(api: apigw.RestApi) {
  const answer = (id: string, type: apigw.ResponseType, code: string, message: string, statusCode?: string, extraHeaders: Record<string, string> = {}, details = '') =>
    api.addGatewayResponse(id, {
      type,
      ...(statusCode ? { statusCode } : {}),
      responseHeaders: { 'Content-Type': "'application/json'", 'Cache-Control': "'no-store'", ...extraHeaders },
      templates: { 'application/json': `{"error":{"code":"${code}","message":${message}${details}}}` },
    });
  answer('SourceRefused', apigw.ResponseType.ACCESS_DENIED, 'ip_not_allowed', '"This address may not reach the verifier."', '403');
  answer('Throttled', apigw.ResponseType.THROTTLED, 'rate_limited', '"Too many requests; try again shortly."', '429', { 'Retry-After': "'1'" }, ',"details":{"retryAfterSeconds":1}');
  answer('NoSuchRoute', apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, 'not_found', '"No such route."', '404');
  answer('TooLarge', apigw.ResponseType.REQUEST_TOO_LARGE, 'payload_too_large', '"The body is too large."', '413');
  answer('Other4xx', apigw.ResponseType.DEFAULT_4XX, 'bad_request', '$context.error.messageString');
  answer('Other5xx', apigw.ResponseType.DEFAULT_5XX, 'internal_error', '"The verifier failed."');
}
