import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { jobDefinitionSchema } from '../../../../backend/core/job';
import type { Launcher, LaunchRequest } from '../../../../backend/core/ports';
import { assumingLauncher, createRoleAssumer, parseLaunchRoles, sourceIdentityOf, type SessionCredentials } from '../../../../backend/adapters/launcher/aws/launchRole';

/** Issue 15 §3: every AWS call as the job's launch role, assumed with the approving person and the run's tags. */
const retry = { attempts: 2, baseDelayMs: 0, sleep: async () => undefined };
const sts = mockClient(STSClient);
const ROLE = 'arn:aws:iam::123456789012:role/keylaunch-LaunchRolesJobnightlyetl-1A2B3C';
const expiration = new Date(Date.UTC(2026, 10, 22, 8, 0, 0));
const issued = (n: number) => ({ Credentials: { AccessKeyId: `ASIA${n}`, SecretAccessKey: `secret${n}`, SessionToken: `token${n}`, Expiration: expiration } });
const session = { roleArn: ROLE, sourceIdentity: 'ada', runId: 'run_01TESTRUN', job: 'nightly-etl', fingerprint: 'K7QX-2M9D' };
const now = () => Date.UTC(2026, 10, 22, 7, 50, 0);

describe('assuming a launch role', () => {
  beforeEach(() => sts.reset());

  it('AssumeRole with the person as SourceIdentity, the run, job and fingerprint as tags, for 900 s', async () => {
    sts.on(AssumeRoleCommand).resolves(issued(1));
    const credentials = await createRoleAssumer({ client: new STSClient({}), retry, now })(session);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: ROLE,
        RoleSessionName: 'keylaunch-run_01TESTRUN',
        SourceIdentity: 'ada',
        Tags: [
          { Key: 'RunId', Value: 'run_01TESTRUN' },
          { Key: 'JobName', Value: 'nightly-etl' },
          { Key: 'Fingerprint', Value: 'K7QX-2M9D' },
        ],
        DurationSeconds: 900,
      },
    ]);
    expect(credentials).toEqual({ accessKeyId: 'ASIA1', secretAccessKey: 'secret1', sessionToken: 'token1', expiration });
  });

  it('a name STS would refuse as SourceIdentity is refused before any call: source_identity_invalid', async () => {
    const assume = createRoleAssumer({ client: new STSClient({}), retry, now });
    for (const name of ['a', 'ada lovelace', 'aws:ada', 'x'.repeat(65), 'ada/admin', 'adä', '']) {
      await expect(assume({ ...session, sourceIdentity: name })).rejects.toMatchObject({ code: 'source_identity_invalid' });
    }
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(sourceIdentityOf('ada.l-ove_lace+1@example.com')).toBe('ada.l-ove_lace+1@example.com');
  });

  it('keeps a session only for the same role, person, run and fingerprint; never across persons', async () => {
    sts.on(AssumeRoleCommand).resolvesOnce(issued(1)).resolvesOnce(issued(2)).resolvesOnce(issued(3));
    const assume = createRoleAssumer({ client: new STSClient({}), retry, now });
    expect((await assume(session)).accessKeyId).toBe('ASIA1');
    expect((await assume(session)).accessKeyId).toBe('ASIA1');
    expect((await assume({ ...session, sourceIdentity: 'bob' })).accessKeyId).toBe('ASIA2');
    expect((await assume({ ...session, runId: 'run_02OTHER' })).accessKeyId).toBe('ASIA3');
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.SourceIdentity)).toEqual(['ada', 'bob', 'ada']);
  });

  it('not past a minute before the session expires', async () => {
    sts.on(AssumeRoleCommand).resolvesOnce(issued(1)).resolvesOnce(issued(2));
    let t = now();
    const assume = createRoleAssumer({ client: new STSClient({}), retry, now: () => t });
    await assume(session);
    t = expiration.getTime() - 59_000;
    expect((await assume(session)).accessKeyId).toBe('ASIA2');
  });

  it('STS refusing, or answering without credentials, ends in a stable code', async () => {
    const assume = createRoleAssumer({ client: new STSClient({}), retry, now });
    sts.on(AssumeRoleCommand).resolvesOnce({ Credentials: { AccessKeyId: 'ASIA1' } } as never).rejectsOnce(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await expect(assume(session)).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    await expect(assume(session)).rejects.toMatchObject({ code: 'access_denied' });
    await expect(assume({ ...session, fingerprint: 'K7QX;2M9D' })).rejects.toMatchObject({ code: 'launch_failed' });
  });
});

describe('a launcher that runs as the job’s role', () => {
  const job = jobDefinitionSchema.parse({ name: 'nightly-etl', title: 'ETL', type: 'step-functions', allow: { roles: ['operator'] }, target: { stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly-etl' } });
  const request: LaunchRequest = { runId: 'run_01TESTRUN', job, params: {}, secrets: {}, requestedBy: 'ada', fingerprint: 'K7QX-2M9D', configVersions: {} };
  let sessions: { session: unknown; credentials: SessionCredentials }[];
  let made: SessionCredentials[];
  const inner = (credentials: SessionCredentials): Launcher => (
    made.push(credentials),
    {
      launch: async () => ({ status: 'running', details: { launcher: 'step-functions', summary: 'started', executionArn: 'arn:x' } }),
      status: async (d) => ({ status: 'succeeded', details: d }),
      output: async () => ({ lines: [], done: true, truncated: false }),
      cancel: async () => undefined,
    }
  );
  const launcher = (has = { status: true, output: true, cancel: true }) =>
    assumingLauncher({
      roles: { 'nightly-etl': ROLE },
      has,
      make: inner,
      assume: async (session) => {
        const credentials = { accessKeyId: `ASIA${sessions.length}`, secretAccessKey: 's', sessionToken: 't' };
        sessions.push({ session, credentials });
        return credentials;
      },
    });
  beforeEach(() => {
    sessions = [];
    made = [];
  });

  it('launches with the session of the approving person, and records what later calls need (no secret)', async () => {
    const result = await launcher().launch(request);
    expect(sessions.map((s) => s.session)).toEqual([{ roleArn: ROLE, sourceIdentity: 'ada', runId: 'run_01TESTRUN', job: 'nightly-etl', fingerprint: 'K7QX-2M9D' }]);
    expect(made).toEqual([sessions[0]!.credentials]);
    expect(result.details).toEqual({ launcher: 'step-functions', summary: 'started', executionArn: 'arn:x', launchRole: ROLE, job: 'nightly-etl', runId: 'run_01TESTRUN', launchedBy: 'ada', fingerprint: 'K7QX-2M9D' });
    expect(JSON.stringify(result.details)).not.toMatch(/ASIA|sessionToken|secret/);
  });

  it('follows as the person who launched; cancels as the person who cancels, with the cancel’s fingerprint', async () => {
    const l = launcher();
    const { details } = await l.launch(request);
    await l.status!(details);
    await l.output!(details, { runId: 'run_01TESTRUN', limit: 10 });
    await l.cancel!(details, { runId: 'run_01TESTRUN', cancelledBy: 'bob', fingerprint: 'ZZ11-AB2C' });
    expect(sessions.slice(1).map((s) => s.session)).toEqual([
      { roleArn: ROLE, sourceIdentity: 'ada', runId: 'run_01TESTRUN', job: 'nightly-etl', fingerprint: 'K7QX-2M9D' },
      { roleArn: ROLE, sourceIdentity: 'ada', runId: 'run_01TESTRUN', job: 'nightly-etl', fingerprint: 'K7QX-2M9D' },
      { roleArn: ROLE, sourceIdentity: 'bob', runId: 'run_01TESTRUN', job: 'nightly-etl', fingerprint: 'ZZ11-AB2C' },
    ]);
  });

  it('a job without a role, a launch without a fingerprint, a run launched without a role: refused, nothing assumed', async () => {
    const other = { ...request, job: { ...job, name: 'other' } };
    await expect(launcher().launch(other)).rejects.toMatchObject({ code: 'launch_failed' });
    await expect(launcher().launch({ ...request, fingerprint: undefined })).rejects.toMatchObject({ code: 'launch_failed' });
    await expect(launcher().status!({ launcher: 'step-functions', summary: 's' })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
    expect(sessions).toEqual([]);
  });

  it('follows and stops as the role this deploy gives the job, whatever role the stored run names', async () => {
    const l = launcher();
    const { details } = await l.launch(request);
    await l.status!({ ...details, launchRole: 'arn:aws:iam::999999999999:role/admin' });
    expect((sessions.at(-1)!.session as { roleArn: string }).roleArn).toBe(ROLE);
    await expect(l.status!({ ...details, job: 'other' })).rejects.toMatchObject({ code: 'aws_answer_invalid' });
  });

  it('offers only the calls its launcher has (a Lambda async invoke has no cancel)', () => {
    expect(launcher({ status: true, output: true, cancel: false }).cancel).toBeUndefined();
  });

  it('reads the roles from the environment, refusing what is not a map of role ARNs', () => {
    expect(parseLaunchRoles(JSON.stringify({ 'nightly-etl': ROLE }))).toEqual({ 'nightly-etl': ROLE });
    expect(parseLaunchRoles(undefined)).toEqual({});
    for (const bad of ['{', '[]', JSON.stringify({ x: 'arn:aws:iam::123:role/x' }), JSON.stringify({ x: 42 })]) expect(() => parseLaunchRoles(bad)).toThrow(/KEYLAUNCH_LAUNCH_ROLES/);
  });
});
