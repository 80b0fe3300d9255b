import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import { CliError, parseCommandLine, runCli, usageError, type Cli } from '../cli/runCli';
import { readDeploySettings } from './settingsFile';

const cli: Cli = {
  command: 'npm run destroy --',
  usage: `Usage: npm run destroy -- [--settings deploy.settings.json] [--confirm <stack name>]

  Removes the verifier's stack (\`cdk destroy\`) with your AWS credentials. The DynamoDB table (people,
  keys, runs, the audit log) and its log group are kept. It asks you to type the stack's name; a script
  says it with --confirm <stack name>.

Exit codes: 0 removed, 1 not confirmed or cdk destroy failed, 2 bad command line, 3 setup to fix (no
settings file, AWS region or credentials), 70 a bug.`,
};

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(cli, argv, { settings: { type: 'string' }, confirm: { type: 'string' } });
  if (positionals.length > 1) throw usageError(cli, `Unexpected argument "${positionals[1]}"`);
  // Which stack, in which region, is known before anyone is asked to type anything.
  const settings = await readDeploySettings(values.settings ?? positionals[0] ?? 'deploy.settings.json', { fileRequired: true });
  let answer = values.confirm;
  if (answer === undefined) {
    if (!process.stdin.isTTY) throw new CliError('usage', 'Nothing to type the stack name into (no terminal)', `Say it on the command line: npm run destroy -- --confirm ${settings.stackName}`);
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    answer = await rl.question(`This removes the keylaunch verifier "${settings.stackName}" in ${settings.region} (the DynamoDB table and its log group are kept).\nType the stack name to confirm: `);
    rl.close();
  }
  if (answer.trim() !== settings.stackName) throw new CliError('failed', `"${answer.trim()}" is not the stack name; nothing was removed`, `Type ${settings.stackName} to remove it.`);
  const result = spawnSync('npx', ['cdk', 'destroy', settings.stackName, '--force'], { stdio: 'inherit', env: { ...process.env, AWS_REGION: settings.region } });
  if (result.status !== 0) throw new CliError('failed', 'cdk destroy did not finish (its output is above)', 'Fix what it says and run npm run destroy again.');
  return 0;
}

await runCli(cli, main);
