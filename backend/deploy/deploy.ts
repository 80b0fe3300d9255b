import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createDynamoStore } from '../adapters/dynamo/dynamoStore';
import { documentClient } from '../adapters/dynamo/table';
import { systemClock, systemRandom } from '../createVerifier';
import { CliError, parseCommandLine, runCli, type Cli } from '../cli/runCli';
import { readDeploySettings } from './settingsFile';
import { postDeploy } from './postDeploy';

const cli: Cli = {
  command: 'npm run deploy --',
  usage: `Usage: npm run deploy -- [--settings deploy.settings.json] [--region <r>] [--allowed-cidr <cidr> …]
                         [--ssm-prefix /keylaunch] [--catalog jobs/aws.yaml] [--stack-name keylaunch]

  Stands up the verifier in AWS with your credentials (AWS_PROFILE or \`aws configure\`): \`cdk deploy\`
  of the stack, then the job catalog pushed to SSM, the desktop config written, and the first admin's
  invite shown once. Settings come from the file (start from deploy.settings.example.json) and the flags
  over it; allowedCidrs and region have no default. Once per account and region: npx cdk bootstrap.

Exit codes: 0 done, 1 not done (cdk deploy failed, the catalog was refused), 2 bad command line,
3 setup to fix (settings, AWS region or credentials, a missing file), 70 a bug.`,
};

async function main(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(
    cli,
    argv,
    {
      settings: { type: 'string', default: 'deploy.settings.json' },
      region: { type: 'string' },
      'allowed-cidr': { type: 'string', multiple: true },
      'ssm-prefix': { type: 'string' },
      catalog: { type: 'string' },
      'stack-name': { type: 'string' },
    },
    false,
  );
  const settings = await readDeploySettings(values.settings!, {
    fileRequired: values.settings !== 'deploy.settings.json',
    overrides: {
      ...(values.region ? { region: values.region } : {}),
      ...(values['allowed-cidr'] ? { allowedCidrs: values['allowed-cidr'] } : {}),
      ...(values['ssm-prefix'] ? { ssmPrefix: values['ssm-prefix'] } : {}),
      ...(values.catalog ? { catalogFile: values.catalog } : {}),
      ...(values['stack-name'] ? { stackName: values['stack-name'] } : {}),
    },
  });
  // Before cdk runs for minutes: the catalog is read now, and the deploy needs it valid (loadCatalog).
  if (!existsSync(settings.catalogFile)) {
    throw new CliError('setup', `${settings.catalogFile} does not exist`, 'Start from the example: cp jobs/aws.example.yaml jobs/aws.yaml, then edit it (or set catalogFile).');
  }
  const settingsFile = 'dist/deploy.settings.resolved.json';
  await mkdir('dist', { recursive: true });
  await writeFile(settingsFile, JSON.stringify(settings, null, 2));

  const cdk = spawnSync('npx', ['cdk', 'deploy', settings.stackName, '--require-approval', 'broadening', '--outputs-file', 'dist/cdk-outputs.json'], {
    stdio: 'inherit',
    env: { ...process.env, KEYLAUNCH_DEPLOY_SETTINGS: settingsFile, AWS_REGION: settings.region },
  });
  if (cdk.status !== 0) throw new CliError('failed', 'cdk deploy did not finish (its output is above)', 'Fix what it says and run npm run deploy again; a first deploy to an account and region needs npx cdk bootstrap once.');

  const outputs = JSON.parse(await readFile('dist/cdk-outputs.json', 'utf8'))[settings.stackName] as Record<string, string>;
  const { lines, invite } = await postDeploy({
    settings,
    verifierUrl: outputs.VerifierUrl!,
    catalogText: await readFile(settings.catalogFile, 'utf8'),
    ssm: new SSMClient({ region: settings.region }),
    store: createDynamoStore({ client: documentClient(new DynamoDBClient({ region: settings.region })), tableName: outputs.TableName! }),
    clock: systemClock,
    random: systemRandom,
  }).catch((e: unknown) => {
    // Its own refusals (a catalog SSM would not take, a config the desktop would refuse) are sentences.
    if (e instanceof Error && e.constructor === Error) throw new CliError('failed', e.message.replace(/[.\s]+$/, ''), 'Fix it and run npm run deploy again (the stack is up; this step is repeated safely).', { cause: e });
    throw e;
  });
  for (const line of lines) console.log(line);
  console.log(`\nVerifier: ${outputs.VerifierUrl}`);
  // Issue 16 §3: where to subscribe, and the secret webhook receivers verify with (docs/notifications.md).
  for (const [name, value] of Object.entries(outputs).filter(([k]) => k.startsWith('NotifyTopic') || k === 'NotifySigningSecretArn')) console.log(`${name}: ${value}`);
  if (outputs.CustomDomainTarget) console.log(`Point ${settings.customDomain!.domainName} (CNAME, or an alias record) at ${outputs.CustomDomainTarget}.`);
  if (invite) console.log(`\nFirst admin invite for ${invite.userName} (shown once, valid 24 h):\n\n    ${invite.code}\n`);
  return 0;
}

await runCli(cli, main);
