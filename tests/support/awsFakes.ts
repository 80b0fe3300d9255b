import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/core/serde';

/**
 * Small stand-ins for the AWS APIs that have no local emulator (Lambda, EC2, ECS, Step Functions, SSM,
 * Secrets Manager, STS, CloudWatch Logs, SNS), reached the way the real ones are: through the SDK's standard endpoint variables
 * (`AWS_ENDPOINT_URL_<SERVICE>`). Each speaks its service's wire protocol (JSON with X-Amz-Target, REST
 * for Lambda, the EC2 query protocol with XML answers), records what it received, and checks every
 * request's SigV4 signature with the SDK's own signer — so a request that AWS would reject fails here too.
 * Given a dynalite endpoint, DynamoDB requests are checked the same way and then passed on to it.
 */
export type FakeService = 'ssm' | 'secretsmanager' | 'lambda' | 'ec2' | 'ecs' | 'sfn' | 'dynamodb' | 'sts' | 'logs' | 'kms' | 'sns';
/** A session STS issued (AssumeRole): who asked for it, as which role, for whom, with which tags. */
export interface FakeSession {
  roleArn: string;
  sourceIdentity: string | undefined;
  tags: Record<string, string>;
}
export interface AwsCall {
  service: FakeService;
  operation: string;
  /** JSON services: the parsed body; Lambda: { functionName, qualifier, invocationType, payload }; EC2 and STS: the form fields. */
  input: any;
  /** The assumed-role session whose credentials signed the request; absent for the base (verifier role) credentials. */
  as?: FakeSession;
}
/** What an operation answers: a JSON object, an XML string (EC2), or an AWS error. */
export type Answer = Record<string, unknown> | string | AwsFault;
export type Operation = (input: any, caller: { as?: FakeSession }) => Answer | Promise<Answer>;

export class AwsFault {
  constructor(
    readonly type: string,
    readonly message: string,
    readonly status = 400,
  ) {}
}

/** The fake KMS's one signing key (the stack's audit key stands for it). */
export const AUDIT_KMS_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' });

export const FAKE_CREDENTIALS = { accessKeyId: 'AKIAKEYLAUNCHTEST', secretAccessKey: 'keylaunch-test-secret' };

const ENDPOINT_VARIABLE: Record<FakeService, string> = {
  ssm: 'AWS_ENDPOINT_URL_SSM',
  secretsmanager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  lambda: 'AWS_ENDPOINT_URL_LAMBDA',
  ec2: 'AWS_ENDPOINT_URL_EC2',
  ecs: 'AWS_ENDPOINT_URL_ECS',
  sfn: 'AWS_ENDPOINT_URL_SFN',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  sts: 'AWS_ENDPOINT_URL_STS',
  logs: 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
  kms: 'AWS_ENDPOINT_URL_KMS',
  sns: 'AWS_ENDPOINT_URL_SNS',
};
/** The signing name each service's requests must carry in their credential scope. */
const SIGNING_NAME: Record<FakeService, string> = { ssm: 'ssm', secretsmanager: 'secretsmanager', lambda: 'lambda', ec2: 'ec2', ecs: 'ecs', sfn: 'states', dynamodb: 'dynamodb', sts: 'sts', logs: 'logs', kms: 'kms', sns: 'sns' };
/** Services that speak a query protocol: form fields in (Action=…), XML out. */
const QUERY = new Set<FakeService>(['ec2', 'sts', 'sns']);
/** The XML namespace of each query service's answers (EC2 answers in its own shape). */
const XMLNS: Partial<Record<FakeService, string>> = { sts: 'https://sts.amazonaws.com/doc/2011-06-15/', sns: 'http://sns.amazonaws.com/doc/2010-03-31/' };

/**
 * `launchRoles` (role ARN → job name): STS plays the launch roles' trust policies (backend/deploy/launchRoles.ts)
 * — only the base credentials may assume them, with a SourceIdentity and exactly the RunId, JobName (the
 * role's own job) and Fingerprint tags — and issues session credentials that later requests must be
 * signed with (and carry the session token of).
 */
export async function startAwsFakes(o: { region: string; operations?: Partial<Record<FakeService, Record<string, Operation>>>; dynamodb?: string; launchRoles?: Record<string, string> }) {
  const calls: AwsCall[] = [];
  const problems: string[] = [];
  const sessions = new Map<string, { secretAccessKey: string; sessionToken: string; session: FakeSession }>();
  const operations = defaultOperations();
  operations.sts.AssumeRole = (i, caller) => {
    const tags: Record<string, string> = {};
    for (let n = 1; i[`Tags.member.${n}.Key`] !== undefined; n++) tags[i[`Tags.member.${n}.Key`]] = i[`Tags.member.${n}.Value`];
    const job = o.launchRoles?.[i.RoleArn];
    const trusted = !caller.as && job !== undefined && !!i.SourceIdentity && Object.keys(tags).sort().join() === 'Fingerprint,JobName,RunId' && tags.JobName === job && !!tags.RunId && !!tags.Fingerprint;
    if (!trusted) return new AwsFault('AccessDenied', `not authorized to perform: sts:AssumeRole on resource: ${i.RoleArn}`, 403);
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const secretAccessKey = randomBytes(20).toString('base64');
    const sessionToken = randomBytes(32).toString('base64');
    sessions.set(accessKeyId, { secretAccessKey, sessionToken, session: { roleArn: i.RoleArn, sourceIdentity: i.SourceIdentity, tags } });
    const expiration = new Date(Date.now() + Number(i.DurationSeconds ?? 3600) * 1000).toISOString();
    return `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${secretAccessKey}</SecretAccessKey><SessionToken>${sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>${i.RoleArn}/${i.RoleSessionName}</Arn><AssumedRoleId>AROA:${i.RoleSessionName}</AssumedRoleId></AssumedRoleUser><SourceIdentity>${i.SourceIdentity}</SourceIdentity>`;
  };
  for (const [service, ops] of Object.entries(o.operations ?? {})) Object.assign(operations[service as FakeService], ops);

  const servers = await Promise.all(
    (Object.keys(ENDPOINT_VARIABLE) as FakeService[]).filter((service) => service !== 'dynamodb' || o.dynamodb).map(async (service) => {
      const server = createServer((req, res) => {
        serve(service, req, res).catch((e) => {
          problems.push(`${service}: ${String(e)}`);
          res.writeHead(500).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return [service, server] as const;
    }),
  );
  const endpoint = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function serve(service: FakeService, req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    const signed = await checkSignature(service, req, url, body);
    if ('bad' in signed) {
      problems.push(`${service} ${req.method} ${url.pathname}: ${signed.bad}`);
      return send(res, service, new AwsFault('InvalidSignatureException', signed.bad, 403));
    }
    const { operation, input } = parse(service, req, url, body);
    calls.push({ service, operation, input, ...(signed.as ? { as: signed.as } : {}) });
    if (service === 'dynamodb') return forward(o.dynamodb!, req, body, res);
    const op = operations[service][operation];
    if (!op) {
      problems.push(`${service}: no stand-in for ${operation}`);
      return send(res, service, new AwsFault('UnknownOperationException', `${operation} is not faked`));
    }
    send(res, service, await op(input, { ...(signed.as ? { as: signed.as } : {}) }), operation);
  }

  /** Re-signs the request with the SDK's own signer and the same date; the signatures must agree. */
  async function checkSignature(service: FakeService, req: IncomingMessage, url: URL, body: Buffer): Promise<{ bad: string } | { as?: FakeSession }> {
    const auth = String(req.headers.authorization ?? '');
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return { bad: `not a SigV4 Authorization header: ${auth.slice(0, 80)}` };
    const [, keyId, , region, signingName, signedHeaders, signature] = m;
    const session = sessions.get(keyId!);
    if (keyId !== FAKE_CREDENTIALS.accessKeyId && !session) return { bad: `signed with another key: ${keyId}` };
    if (session && req.headers['x-amz-security-token'] !== session.sessionToken) return { bad: 'signed with session credentials but without their session token' };
    const credentials = session ? { accessKeyId: keyId!, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken } : FAKE_CREDENTIALS;
    if (region !== o.region) return { bad: `signed for region ${region}, not ${o.region}` };
    if (signingName !== SIGNING_NAME[service]) return { bad: `signed for service ${signingName}, not ${SIGNING_NAME[service]}` };
    const headers: Record<string, string> = {};
    for (const name of signedHeaders!.split(';')) headers[name] = String(req.headers[name] ?? '');
    const signer = new SignatureV4({ service: signingName!, region: region!, credentials, sha256: Hash.bind(null, 'sha256'), uriEscapePath: service !== 'ec2', applyChecksum: headers['x-amz-content-sha256'] !== undefined && signedHeaders!.split(';').includes('x-amz-content-sha256') });
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => (query[k] = v));
    const amzDate = headers['x-amz-date'] ?? '';
    const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const signed = await signer.sign(
      { method: req.method ?? 'GET', protocol: 'http:', hostname: '127.0.0.1', path: url.pathname, query, headers, body } as never,
      { signingDate, unsignableHeaders: new Set(Object.keys(req.headers).filter((h) => !headers[h])) },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String((signed as { headers: Record<string, string> }).headers.authorization))?.[1];
    return expected === signature ? (session ? { as: session.session } : {}) : { bad: 'the signature does not match the SDK signer' };
  }

  return {
    calls,
    /** Anything the fakes could not answer or refused (a test should expect none). */
    problems,
    /** The calls one service received, optionally of one operation. */
    callsTo: (service: FakeService, operation?: string) => calls.filter((c) => c.service === service && (!operation || c.operation === operation)),
    /** The environment that points the SDK at these stand-ins. */
    env: Object.fromEntries(servers.map(([service, server]) => [ENDPOINT_VARIABLE[service], endpoint(server)])) as Record<string, string>,
    /** Replaces what one operation answers from now on (to inject failures). */
    answer: (service: FakeService, operation: string, op: Operation) => void (operations[service][operation] = op),
    close: () => Promise.all(servers.map(([, s]) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined),
  };
}
export type AwsFakes = Awaited<ReturnType<typeof startAwsFakes>>;

/** Passes a checked request on to the real protocol server (dynalite) and its answer back. */
function forward(upstream: string, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  // node:http, not fetch: fetch adds Sec-Fetch-* headers, which local mode's dynalite refuses as a browser's.
  const headers = Object.fromEntries(['authorization', 'content-type', 'x-amz-target', 'x-amz-date'].map((h) => [h, String(req.headers[h] ?? '')]));
  return new Promise((resolve, reject) => {
    const out = request(upstream, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (answer) => {
      res.writeHead(answer.statusCode ?? 500, { 'content-type': String(answer.headers['content-type'] ?? 'application/x-amz-json-1.0'), 'x-amzn-requestid': String(answer.headers['x-amzn-requestid'] ?? '') });
      answer.pipe(res).on('finish', resolve);
    });
    out.on('error', reject);
    out.end(body);
  });
}

function parse(service: FakeService, req: IncomingMessage, url: URL, body: Buffer): { operation: string; input: any } {
  if (service === 'lambda') {
    const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    return {
      operation: m ? 'Invoke' : `${req.method} ${url.pathname}`,
      input: {
        functionName: m ? decodeURIComponent(m[1]!) : undefined,
        qualifier: url.searchParams.get('Qualifier') ?? undefined,
        invocationType: req.headers['x-amz-invocation-type'],
        payload: body.length ? JSON.parse(body.toString('utf8')) : undefined,
      },
    };
  }
  if (QUERY.has(service)) {
    const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
    const { Action, Version, ...input } = form;
    return { operation: Action ?? 'unknown', input };
  }
  const target = String(req.headers['x-amz-target'] ?? '');
  return { operation: target.split('.').pop() ?? 'unknown', input: body.length ? JSON.parse(body.toString('utf8')) : {} };
}

function send(res: ServerResponse, service: FakeService, answer: Answer, operation = '') {
  const requestId = `req-${Math.random().toString(16).slice(2, 10)}`;
  if (answer instanceof AwsFault) {
    if (service === 'sts' || service === 'sns') {
      res.writeHead(answer.status, { 'content-type': 'text/xml' });
      return res.end(`<ErrorResponse xmlns="${XMLNS[service]}"><Error><Type>Sender</Type><Code>${answer.type}</Code><Message>${answer.message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
    }
    if (service === 'ec2') {
      res.writeHead(answer.status, { 'content-type': 'text/xml' });
      return res.end(`<Response><Errors><Error><Code>${answer.type}</Code><Message>${answer.message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`);
    }
    res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId, 'x-amzn-errortype': answer.type });
    return res.end(JSON.stringify({ __type: answer.type, message: answer.message }));
  }
  if (service === 'sts' || service === 'sns') {
    res.writeHead(200, { 'content-type': 'text/xml' });
    return res.end(`<${operation}Response xmlns="${XMLNS[service]}"><${operation}Result>${String(answer)}</${operation}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`);
  }
  if (service === 'ec2') {
    res.writeHead(200, { 'content-type': 'text/xml' });
    return res.end(`<${operation}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId}</requestId>${String(answer)}</${operation}Response>`);
  }
  if (service === 'lambda') {
    // An asynchronous Invoke is queued: 202 and no payload.
    res.writeHead(202, { 'x-amzn-requestid': requestId, 'content-type': 'application/json' });
    return res.end();
  }
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId });
  res.end(JSON.stringify(answer));
}

/** A tiny Parameter Store (versions count up per name) and plausible answers for every launch call. */
function defaultOperations(): Record<FakeService, Record<string, Operation>> {
  const parameters = new Map<string, { Name: string; Value: string; Type: string; Version: number }>();
  const secrets = new Map<string, string>();
  return {
    ssm: {
      PutParameter: (i) => {
        const version = (parameters.get(i.Name)?.Version ?? 0) + 1;
        parameters.set(i.Name, { Name: i.Name, Value: i.Value, Type: i.Type, Version: version });
        return { Version: version, Tier: 'Standard' };
      },
      GetParametersByPath: (i) => {
        const all = [...parameters.values()].filter((p) => p.Name.startsWith(i.Path)).sort((a, b) => a.Name.localeCompare(b.Name));
        const start = Number(i.NextToken ?? 0);
        const page = all.slice(start, start + (i.MaxResults ?? 10));
        return { Parameters: page.map((p) => shown(p, i.WithDecryption)), ...(start + page.length < all.length ? { NextToken: String(start + page.length) } : {}) };
      },
      GetParameters: (i) => ({
        Parameters: (i.Names as string[]).filter((n) => parameters.has(n)).map((n) => shown(parameters.get(n)!, i.WithDecryption)),
        InvalidParameters: (i.Names as string[]).filter((n) => !parameters.has(n)),
      }),
      SendCommand: (i) => ({ Command: { CommandId: '8d7f2c1e-0000-4000-8000-000000000001', DocumentName: i.DocumentName, Status: 'Pending' } }),
      ListCommands: (i) => ({ Commands: [{ CommandId: i.CommandId, Status: 'InProgress', TargetCount: 2, CompletedCount: 1, ErrorCount: 0 }] }),
      CancelCommand: () => ({}),
    },
    secretsmanager: {
      // Tests store secrets with the pseudo-operation below; the verifier only reads.
      PutSecretValue: (i) => (secrets.set(i.SecretId, i.SecretString), { ARN: i.SecretId }),
      GetSecretValue: (i) => (secrets.has(i.SecretId) ? { ARN: i.SecretId, Name: i.SecretId, SecretString: secrets.get(i.SecretId) } : new AwsFault('ResourceNotFoundException', 'Secrets Manager can\u2019t find the specified secret.')),
    },
    lambda: { Invoke: () => ({}) },
    ec2: {
      DescribeLaunchTemplateVersions: () => '<launchTemplateVersionSet><item><versionNumber>3</versionNumber><launchTemplateData><instanceType>g4dn.xlarge</instanceType></launchTemplateData></item></launchTemplateVersionSet>',
      DescribeAvailabilityZones: () => '<availabilityZoneInfo><item><zoneName>eu-west-1a</zoneName><zoneState>available</zoneState></item><item><zoneName>eu-west-1b</zoneName><zoneState>available</zoneState></item></availabilityZoneInfo>',
      DescribeSpotPriceHistory: () =>
        `<spotPriceHistorySet>${[['eu-west-1a', '0.2100'], ['eu-west-1b', '0.2400']].map(([zone, price]) => `<item><instanceType>g4dn.xlarge</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>${price}</spotPrice><timestamp>${new Date().toISOString()}</timestamp><availabilityZone>${zone}</availabilityZone></item>`).join('')}</spotPriceHistorySet>`,
      RunInstances: () =>
        '<reservationId>r-0123456789abcdef0</reservationId><instancesSet><item><instanceId>i-0123456789abcdef0</instanceId><instanceType>g4dn.xlarge</instanceType><instanceState><code>0</code><name>pending</name></instanceState><placement><availabilityZone>eu-west-1a</availabilityZone></placement></item></instancesSet>',
      DescribeInstances: () => '<reservationSet><item><instancesSet><item><instanceId>i-0123456789abcdef0</instanceId><instanceState><code>16</code><name>running</name></instanceState></item></instancesSet></item></reservationSet>',
      TerminateInstances: () => '<instancesSet><item><instanceId>i-0123456789abcdef0</instanceId><currentState><code>32</code><name>shutting-down</name></currentState><previousState><code>16</code><name>running</name></previousState></item></instancesSet>',
    },
    ecs: {
      RunTask: (i) => ({ tasks: [{ taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/${i.cluster}/0123456789abcdef0123456789abcdef`, lastStatus: 'PROVISIONING', clusterArn: `arn:aws:ecs:eu-west-1:123456789012:cluster/${i.cluster}`, taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${i.taskDefinition}` }], failures: [] }),
      DescribeTasks: (i) => ({ tasks: [{ taskArn: i.tasks[0], lastStatus: 'RUNNING', containers: [{ name: 'report' }] }], failures: [] }),
      DescribeTaskDefinition: (i) => ({ taskDefinition: { taskDefinitionArn: i.taskDefinition, containerDefinitions: [{ name: 'report', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/monthly-report', 'awslogs-stream-prefix': 'report', 'awslogs-region': 'eu-west-1' } } }] } }),
      StopTask: (i) => ({ task: { taskArn: i.task, desiredStatus: 'STOPPED', stoppedReason: i.reason } }),
    },
    dynamodb: {}, // passed on to dynalite
    kms: {
      // One asymmetric key (ECC_NIST_P256) whatever KeyId is asked: signatures verify with AUDIT_KMS_KEY's public half.
      Sign: (i) =>
        i.SigningAlgorithm !== 'ECDSA_SHA_256' || i.MessageType !== 'RAW'
          ? new AwsFault('ValidationException', 'ECDSA_SHA_256 over a RAW message only')
          : { KeyId: i.KeyId, SigningAlgorithm: i.SigningAlgorithm, Signature: sign('sha256', Buffer.from(i.Message, 'base64'), { key: AUDIT_KMS_KEY.privateKey, dsaEncoding: 'der' }).toString('base64') },
      GetPublicKey: (i) => ({ KeyId: i.KeyId, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', PublicKey: AUDIT_KMS_KEY.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') }),
    },
    sfn: {
      StartExecution: (i) => ({ executionArn: `${String(i.stateMachineArn).replace(':stateMachine:', ':execution:')}:${i.name}`, startDate: Date.now() / 1000 }),
      DescribeExecution: (i) => ({ executionArn: i.executionArn, status: 'RUNNING', startDate: Date.now() / 1000 }),
      GetExecutionHistory: () => ({ events: [{ id: 1, type: 'ExecutionStarted', timestamp: Date.now() / 1000 }, { id: 2, type: 'TaskStateEntered', timestamp: Date.now() / 1000, stateEnteredEventDetails: { name: 'Extract' } }] }),
      StopExecution: () => ({ stopDate: Date.now() / 1000 }),
    },
    sts: {}, // AssumeRole: set in startAwsFakes, which keeps the sessions
    sns: { Publish: () => `<MessageId>${randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')}</MessageId>` },
    logs: {
      FilterLogEvents: () => ({ events: [], searchedLogStreams: [] }),
      GetLogEvents: (i) => ({ events: [], nextForwardToken: i.nextToken ?? 'f/0', nextBackwardToken: 'b/0' }),
    },
  };
}

/** A parameter as SSM shows it: a SecureString's value stays ciphertext unless decryption was asked for. */
function shown(p: { Name: string; Value: string; Type: string; Version: number }, decrypt: boolean) {
  return { ...p, Value: p.Type === 'SecureString' && !decrypt ? `AQICAH-ciphertext-of-${p.Name}` : p.Value, ARN: `arn:aws:ssm:eu-west-1:123456789012:parameter${p.Name}` };
}
