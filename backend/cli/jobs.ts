import { SSMClient } from '@aws-sdk/client-ssm';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { checkPrefix, listJobs, pushJobs } from './jobCatalogAdmin';
import { CliError, parseCommandLine, runCli, usageError, type Cli } from './runCli';

const cli: Cli = {
  command: 'npm run jobs --',
  usage: `Usage: npm run jobs -- push <file> [--prefix /keylaunch] [--dry-run]
       npm run jobs -- list [--prefix /keylaunch]

  The job catalog in SSM Parameter Store (AWS mode), with your AWS credentials: AWS_PROFILE (or
  \`aws configure\`) and AWS_REGION. <file> is YAML or JSON, the same format as local mode's jobs file
  (start from jobs/aws.example.yaml). push checks every job first and writes nothing if one is invalid;
  --dry-run only checks. The prefix defaults to KEYLAUNCH_SSM_PREFIX, else /keylaunch.

Exit codes: 0 done, 1 not done (a job is invalid), 2 bad command line, 3 setup to fix (AWS region or
credentials, a missing file), 70 a bug (rerun with KEYLAUNCH_DEBUG=1 and report it).`,
};

async function readJobsFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const example = file.replace(/\.(ya?ml|json)$/, '.example.$1');
    throw new CliError('setup', `${file} does not exist`, example !== file && existsSync(example) ? `Start from the example: cp ${example} ${file}` : 'Check the path (relative to this folder).', { cause: e });
  }
}

const isPrefix = (prefix: string) => {
  try {
    return checkPrefix(prefix) === prefix;
  } catch {
    return false;
  }
};

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandLine(cli, argv, { prefix: { type: 'string', default: process.env.KEYLAUNCH_SSM_PREFIX ?? '/keylaunch' }, 'dry-run': { type: 'boolean' } });
  const [command, file, ...extra] = positionals;
  if (!command) throw usageError(cli, 'Missing a command (push or list)');
  if (command !== 'push' && command !== 'list') throw usageError(cli, `Unknown command "${command}"`);
  if (command === 'push' && !file) throw usageError(cli, 'push needs a jobs file, e.g. jobs/aws.yaml');
  const unexpected = command === 'list' ? file : extra[0];
  if (unexpected) throw usageError(cli, `Unexpected argument "${unexpected}"`);
  if (!isPrefix(values.prefix)) throw usageError(cli, `--prefix must be a parameter path like /keylaunch, not "${values.prefix}"`);

  const text = command === 'push' ? await readJobsFile(file!) : '';
  const client = new SSMClient({});
  try {
    if (command === 'list') {
      for (const line of await listJobs({ client, prefix: values.prefix })) console.log(line);
      return 0;
    }
    const result = await pushJobs({ client, prefix: values.prefix, text, dryRun: values['dry-run'] === true });
    for (const line of result.lines) (result.ok ? console.log : console.error)(line);
    return result.ok ? 0 : 1;
  } finally {
    client.destroy();
  }
}

await runCli(cli, main);
