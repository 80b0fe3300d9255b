import { KeylaunchError, isKeylaunchError } from '../core/errors';
import { issueProposer, PROPOSER_TTL_HOURS } from '../core/proposers';
import { systemClock, systemRandom } from '../createVerifier';
import { CliError, usageError, type Cli } from './runCli';
import type { Store } from '../core/ports';
import { cliActor } from './cliActor';

/**
 * `npm run admin -- proposer|proposers|revoke-proposer` (issue 16 §2): proposer tokens for automation.
 * The token is printed once; the table keeps its hash.
 */
export const PROPOSER_USAGE = `  proposer <name> --jobs a,b [--ttl-hours N]
                          a token that may only propose runs of those jobs (shown once, stored
                          only as a hash); --ttl-hours defaults to 720 (30 days), at most 2160
  proposers               proposer tokens: id, name, jobs, state
  revoke-proposer <id>    the token stops working at once; its open proposals cannot launch`;
export const PROPOSER_COMMANDS = new Set(['proposer', 'proposers', 'revoke-proposer']);

const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function proposerCommand(cli: Cli, store: Store, command: string, arg: string | undefined, values: { jobs?: string | undefined; 'ttl-hours'?: string | undefined }, where: string): Promise<number> {
  const now = systemClock.now();
  if (command === 'proposers') {
    const tokens = await store.listProposers();
    if (tokens.length === 0) console.log(`No proposer tokens in ${where}.`);
    for (const t of tokens) {
      const state = t.revokedAt !== undefined ? `revoked ${when(t.revokedAt)}` : t.expiresAt <= now ? `expired ${when(t.expiresAt)}` : `active until ${when(t.expiresAt)}`;
      console.log(`${t.id}  ${t.name.padEnd(20)} ${state.padEnd(34)} jobs: ${t.jobs.join(', ')}`);
    }
    return 0;
  }
  if (!arg) throw usageError(cli, `${command} needs ${command === 'proposer' ? 'a name' : 'a token id'}`);
  if (command === 'revoke-proposer') {
    if (!(await store.revokeProposer(arg, now))) throw new CliError('failed', `No proposer token ${arg} in ${where}`, '`npm run admin -- proposers` lists them.');
    console.log(`Proposer token ${arg} is revoked.`);
    return 0;
  }
  if (!values.jobs) throw usageError(cli, 'proposer needs --jobs a,b (the jobs it may propose)');
  const ttlHours = values['ttl-hours'] === undefined ? 720 : Number(values['ttl-hours']);
  if (!(ttlHours >= PROPOSER_TTL_HOURS.min && ttlHours <= PROPOSER_TTL_HOURS.max)) throw usageError(cli, `--ttl-hours for a proposer token is from 0.0167 (1 minute) to ${PROPOSER_TTL_HOURS.max}, not "${values['ttl-hours']}"`);
  try {
    const { token, record } = await issueProposer({ store, clock: systemClock, random: systemRandom }, { name: arg, jobs: values.jobs.split(',').map((j) => j.trim()), ttlHours, createdBy: cliActor() });
    console.log(`Proposer token ${record.id} for ${record.name} (jobs: ${record.jobs.join(', ')}), valid until ${when(record.expiresAt)}:\n\n    ${token}\n`);
    console.log('It is shown only now. It can only propose runs; a person’s touch decides each one.');
    return 0;
  } catch (e) {
    if (isKeylaunchError(e) && (e as KeylaunchError).code === 'bad_request') throw usageError(cli, e.message.replace(/\.$/, ''));
    throw e;
  }
}
