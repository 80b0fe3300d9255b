import { SSMClient } from '@aws-sdk/client-ssm';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { listJobs, pushJobs } from './jobCatalogAdmin';

const USAGE = `Usage: npm run jobs -- push <file> [--prefix /keylaunch] [--dry-run]
       npm run jobs -- list [--prefix /keylaunch]

  The job catalog in SSM Parameter Store, with your AWS credentials (AWS_REGION / AWS_PROFILE).
  <file> is YAML or JSON, the same format as local mode's jobs file. The prefix defaults to
  KEYLAUNCH_SSM_PREFIX, else /keylaunch.`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { prefix: { type: 'string', default: process.env.KEYLAUNCH_SSM_PREFIX ?? '/keylaunch' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean' } },
  });
  const [command, file] = positionals;
  if (values.help || !(command === 'list' || (command === 'push' && file))) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const client = new SSMClient({});
  if (command === 'list') {
    for (const line of await listJobs({ client, prefix: values.prefix })) console.log(line);
    return 0;
  }
  const result = await pushJobs({ client, prefix: values.prefix, text: await readFile(file!, 'utf8'), dryRun: values['dry-run'] === true });
  for (const line of result.lines) (result.ok ? console.log : console.error)(line);
  return result.ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`${e.name}: ${e.message}`);
  return 1;
});
