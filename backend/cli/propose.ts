import { CliError, parseCommandLine, runCli, usageError, type Cli } from './runCli';
import { ProposerCallError, paramsFromWords, proposerClient, proposerSettings, type Proposal } from './proposerClient';

const cli: Cli = {
  command: 'npm run propose --',
  usage: `Usage: npm run propose -- <job> [key=value …] [--reason "…"] [--wait]

Proposes a run of <job> with a proposer token (issue 16 §2): a person approves it with their own
security key in the app, and only then does it launch. The token can do nothing else.

  --reason "…"   shown to the approvers (default: "proposed from the command line")
  --wait         wait until it launches, is rejected or ends, then say how its run went

Settings: KEYLAUNCH_URL (the verifier's address) and KEYLAUNCH_PROPOSER_TOKEN (from
\`npm run admin -- proposer <name> --jobs …\`).

Exit codes: 0 proposed (with --wait: launched and not failed), 1 refused or not launched, 2 bad
command line, 3 settings missing, 70 a bug.`,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandLine(cli, argv, { reason: { type: 'string' }, wait: { type: 'boolean', default: false } });
  const [job, ...words] = positionals;
  if (!job) throw usageError(cli, 'Missing a job name');
  const settings = proposerSettings(process.env);
  if ('missing' in settings) throw new CliError('setup', `Set ${settings.missing}`);
  const client = proposerClient(settings);
  try {
    const declared = (await client.listJobs()).find((j) => j.name === job);
    let params;
    try {
      params = paramsFromWords(words, declared);
    } catch (e) {
      throw usageError(cli, (e as Error).message);
    }
    let proposal: Proposal = await client.propose(job, params, values.reason ?? 'proposed from the command line');
    const r = proposal.request;
    console.log(`Proposed ${r.job.name} as request ${r.id}, fingerprint ${r.fingerprint}; it needs ${r.missing.people} ${r.missing.people === 1 ? 'person' : 'people'}'s touch before ${new Date(r.expiresAt).toISOString()}.`);
    if (!values.wait) return 0;
    while (proposal.request.status === 'pending') {
      await sleep(2000);
      proposal = await client.get(r.id);
    }
    const { request, run } = proposal;
    if (request.status !== 'launched' || !run) throw new CliError('failed', `Request ${r.id} was ${request.status}${request.end ? ` (${request.end.code})` : ''}`);
    while (run && (run.status === 'launching' || run.status === 'running')) {
      await sleep(2000);
      Object.assign(run, (await client.get(r.id)).run);
    }
    console.log(`Launched as run ${run.id}: ${run.status}${run.failure ? ` (${run.failure.code})` : ''}.`);
    return run.status === 'failed' || run.status === 'lost' ? 1 : 0;
  } catch (e) {
    if (e instanceof ProposerCallError) throw new CliError(e.code === 'unreachable' || e.code === 'proposer_invalid' ? 'setup' : 'failed', `${e.message.replace(/\.$/, '')} (${e.code})`);
    throw e;
  }
}

await runCli(cli, main);
