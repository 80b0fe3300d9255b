import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createDynamoStore } from '../adapters/dynamo/dynamoStore';
import { documentClient } from '../adapters/dynamo/table';
import { systemClock, systemRandom } from '../createVerifier';
import { deploySettingsSchema } from './settings';
import { postDeploy } from './postDeploy';

/**
 * `npm run deploy`: settings from deploy.settings.json and/or flags, `cdk deploy`, then the catalog, the
 * desktop config and the first admin invite. Needs AWS credentials and `npx cdk bootstrap` once per
 * account and region (README "Deploy to AWS").
 */
const { values } = parseArgs({
  options: {
    settings: { type: 'string', default: 'deploy.settings.json' },
    region: { type: 'string' },
    'allowed-cidr': { type: 'string', multiple: true },
    'ssm-prefix': { type: 'string' },
    catalog: { type: 'string' },
    'stack-name': { type: 'string' },
  },
});
const fromFile = await readFile(values.settings!, 'utf8').then(JSON.parse, () => ({}));
const parsed = deploySettingsSchema.safeParse({
  ...fromFile,
  ...(values.region ? { region: values.region } : {}),
  ...(values['allowed-cidr'] ? { allowedCidrs: values['allowed-cidr'] } : {}),
  ...(values['ssm-prefix'] ? { ssmPrefix: values['ssm-prefix'] } : {}),
  ...(values.catalog ? { catalogFile: values.catalog } : {}),
  ...(values['stack-name'] ? { stackName: values['stack-name'] } : {}),
});
if (!parsed.success) {
  console.error('Deploy settings are incomplete or invalid:\n' + parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n'));
  process.exit(2);
}
const settings = parsed.data;
const settingsFile = 'dist/deploy.settings.resolved.json';
await mkdir('dist', { recursive: true });
await writeFile(settingsFile, JSON.stringify(settings, null, 2));

const cdk = spawnSync('npx', ['cdk', 'deploy', settings.stackName, '--require-approval', 'broadening', '--outputs-file', 'dist/cdk-outputs.json'], {
  stdio: 'inherit',
  env: { ...process.env, KEYLAUNCH_DEPLOY_SETTINGS: settingsFile, AWS_REGION: settings.region },
});
if (cdk.status !== 0) process.exit(cdk.status ?? 1);

const outputs = JSON.parse(await readFile('dist/cdk-outputs.json', 'utf8'))[settings.stackName] as Record<string, string>;
const { lines, invite } = await postDeploy({
  settings,
  verifierUrl: outputs.VerifierUrl!,
  catalogText: await readFile(settings.catalogFile, 'utf8'),
  ssm: new SSMClient({ region: settings.region }),
  store: createDynamoStore({ client: documentClient(new DynamoDBClient({ region: settings.region })), tableName: outputs.TableName! }),
  clock: systemClock,
  random: systemRandom,
});
for (const line of lines) console.log(line);
console.log(`\nVerifier: ${outputs.VerifierUrl}`);
if (outputs.CustomDomainTarget) console.log(`Point ${settings.customDomain!.domainName} (CNAME, or an alias record) at ${outputs.CustomDomainTarget}.`);
if (invite) console.log(`\nFirst admin invite for ${invite.userName} (shown once, valid 24 h):\n\n    ${invite.code}\n`);
