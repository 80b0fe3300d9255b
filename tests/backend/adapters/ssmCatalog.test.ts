import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetParametersByPathCommand, GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createSsmCatalog } from '../../../backend/adapters/catalog/ssmCatalog';
import { pushJobs } from '../../../backend/cli/jobCatalogAdmin';

const ssm = mockClient(SSMClient);
beforeEach(() => ssm.reset());

const invoke = (name: string, body: Record<string, unknown>, Version = 1) => ({ Name: `/kl/jobs/${name}/invoke`, Value: JSON.stringify(body), Version });
const lambdaJob = { title: 'Deploy', type: 'lambda', allow: { roles: ['operator'] } };

describe('SSM catalog', () => {
  it('reads every page, recursively and never decrypted, and lists each job with its versions and execution parameter', async () => {
    ssm
      .on(GetParametersByPathCommand, { NextToken: undefined })
      .resolves({ Parameters: [invoke('deploy', lambdaJob, 4), { Name: '/kl/jobs/deploy/execution', Value: '{"secret":"s"}', Version: 2 }], NextToken: 'page2' });
    ssm.on(GetParametersByPathCommand, { NextToken: 'page2' }).resolves({ Parameters: [invoke('broken', { title: 'B', type: 'lambda', allow: { roles: [] } }), { Name: '/kl/jobs/orphan/execution', Value: '{}', Version: 1 }, { Name: '/kl/jobs/bad-json/invoke', Value: '{nope', Version: 1 }] });
    const entries = await createSsmCatalog({ client: new SSMClient({}), prefix: '/kl' }).listJobs();
    const calls = ssm.commandCalls(GetParametersByPathCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args[0].input).toMatchObject({ Path: '/kl/jobs/', Recursive: true, WithDecryption: false });
    expect(entries.map((e) => [e.name, e.available])).toEqual([['bad-json', false], ['broken', false], ['deploy', true], ['orphan', false]]);
    const deploy = entries.find((e) => e.name === 'deploy')!;
    expect(deploy).toMatchObject({ versions: { invoke: '4', execution: '2' }, execution: { parameter: '/kl/jobs/deploy/execution', version: '2' } });
    expect(JSON.stringify(deploy)).not.toContain('"secret":"s"'); // the execution config is never read into the catalog
    expect(entries.find((e) => e.name === 'bad-json')).toMatchObject({ reason: 'the invoke parameter is not valid JSON' });
    expect(entries.find((e) => e.name === 'orphan')).toMatchObject({ reason: 'no /kl/jobs/orphan/invoke parameter' });
  });

  it('caches the list briefly, but a fresh read sees a changed version', async () => {
    let time = 0;
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [invoke('deploy', lambdaJob, 4)] });
    ssm.on(GetParametersCommand).resolves({ Parameters: [invoke('deploy', lambdaJob, 5)] });
    const catalog = createSsmCatalog({ client: new SSMClient({}), prefix: '/kl', cacheMs: 30_000, now: () => time });
    await catalog.listJobs();
    time = 10_000;
    expect((await catalog.getJob('deploy'))?.versions.invoke).toBe('4');
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(1);
    expect((await catalog.getJob('deploy', { fresh: true }))?.versions.invoke).toBe('5');
    expect(ssm.commandCalls(GetParametersCommand)[0]!.args[0].input).toEqual({ Names: ['/kl/jobs/deploy/invoke', '/kl/jobs/deploy/execution'], WithDecryption: false });
  });

  it('an invoke parameter stored as a SecureString is unavailable, with the reason (its value is ciphertext without decryption)', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [{ ...invoke('deploy', lambdaJob), Type: 'SecureString', Value: 'AQICAHh…ciphertext' }] });
    const [entry] = await createSsmCatalog({ client: new SSMClient({}), prefix: '/kl' }).listJobs();
    expect(entry).toMatchObject({ available: false, reason: expect.stringContaining('must be a String') });
  });

  it('an invoke config that names another job is unavailable', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [invoke('deploy', { ...lambdaJob, name: 'other' })] });
    const [entry] = await createSsmCatalog({ client: new SSMClient({}), prefix: '/kl' }).listJobs();
    expect(entry).toMatchObject({ available: false, reason: expect.stringContaining('another job') });
  });
});

describe('npm run jobs -- push', () => {
  const file = `
jobs:
  - name: deploy
    title: Deploy
    type: lambda
    allow: { roles: [operator] }
    execution: { environment: prod, bucket: my-artifacts }
  - name: nightly
    title: Nightly
    type: step-functions
    allow: { roles: [admin] }
    target: { stateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:nightly" }
`;

  it('validates every job, then writes invoke (String) and execution (SecureString) under the prefix', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 7 });
    const result = await pushJobs({ client: new SSMClient({}), prefix: '/kl', text: file });
    expect(result.ok).toBe(true);
    const puts = ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => [p.Name, p.Type])).toEqual([
      ['/kl/jobs/deploy/invoke', 'String'],
      ['/kl/jobs/deploy/execution', 'SecureString'],
      ['/kl/jobs/nightly/invoke', 'String'],
    ]);
    expect(JSON.parse(puts[0]!.Value!)).not.toHaveProperty('execution');
    expect(JSON.parse(puts[1]!.Value!)).toEqual({ environment: 'prod', bucket: 'my-artifacts' });
    expect(puts.every((p) => p.Overwrite === true)).toBe(true);
  });

  it('writes nothing when any job is invalid, and says which', async () => {
    const result = await pushJobs({ client: new SSMClient({}), prefix: '/kl', text: file.replace('type: step-functions', 'type: rocket') });
    expect(result.ok).toBe(false);
    expect(result.lines.join('\n')).toContain('nightly');
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  it('refuses a bad prefix', async () => {
    await expect(pushJobs({ client: new SSMClient({}), prefix: 'keylaunch/', text: file })).rejects.toThrow(/prefix/);
  });
});
