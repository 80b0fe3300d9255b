import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';

/** `npm run destroy`: asks for the stack's name before removing it. The table (users, runs, audit) stays. */
const settings = JSON.parse(await readFile(process.argv[2] ?? 'deploy.settings.json', 'utf8').catch(() => '{}')) as { stackName?: string; region?: string };
const stackName = settings.stackName ?? 'keylaunch';
const rl = createInterface({ input: process.stdin, output: process.stdout });
const answer = await rl.question(`This removes the keylaunch verifier "${stackName}" (the DynamoDB table and its log group are kept).\nType the stack name to confirm: `);
rl.close();
if (answer.trim() !== stackName) {
  console.log('Not confirmed; nothing was removed.');
  process.exit(1);
}
const result = spawnSync('npx', ['cdk', 'destroy', stackName, '--force'], { stdio: 'inherit', env: { ...process.env, ...(settings.region ? { AWS_REGION: settings.region } : {}) } });
process.exit(result.status ?? 1);
