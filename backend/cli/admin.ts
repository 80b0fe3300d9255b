import { createAdminDirectory } from '../adapters/dynamo/adminDirectory';
import { createDynamoStore } from '../adapters/dynamo/dynamoStore';
import { documentClient } from '../adapters/dynamo/table';
import { createInvite, groupsSchema, INVITE_TTL_HOURS, userNameSchema } from '../core/invites';
import { describeAdminAction } from '../core/adminActions';
import { isKeylaunchError } from '../core/errors';
import { timeOrderedId } from '../core/ids';
import type { AdminAction } from '../core/model';
import type { Store } from '../core/ports';
import { systemClock, systemRandom } from '../createVerifier';
import { openTable } from './openTable';
import { CliError, parseCommandLine, runCli, usageError, type Cli } from './runCli';
import { PROPOSER_COMMANDS, PROPOSER_USAGE, proposerCommand } from './proposerCommands';
import { cliActor } from './cliActor';

const cli: Cli = {
  command: 'npm run admin --',
  usage: `Usage: npm run admin -- <command> [options]

Commands:
  invite <user> [--role admin|operator] [--ttl-hours N] [--groups a,b]
                          a one-time code to enroll a key (shown once, stored only as a hash);
                          --role defaults to operator, --ttl-hours to 24 (from 1 minute = 0.0167 to 336),
                          --groups to none
  set-groups <user> --groups a,b
                          replaces <user>'s groups (--groups= for none)
  invites                 pending invites (not yet used, canceled or expired)
  cancel-invite <user>    cancels <user>'s pending invites
  list                    people, their role, state and number of active keys
  disable <user>          refuses their unlocks and ends their sessions
  enable <user>
${PROPOSER_USAGE}

Every change is written to the audit log as action admin.cli, by cli:<your OS user> (admins can do
the same from the app, with a touch; the CLI is for the first admin and break-glass).

Where: local mode by default (the data folder, KEYLAUNCH_DATA or .keylaunch/, also while \`npm start\`
runs); with KEYLAUNCH_TABLE=<table>, the DynamoDB table of a deployed verifier, with your AWS
credentials (AWS_PROFILE, AWS_REGION).

Exit codes: 0 done, 1 not done (e.g. no such user), 2 bad command line, 3 setup to fix (AWS region or
credentials, data folder), 70 a bug (rerun with KEYLAUNCH_DEBUG=1 and report it).`,
};

const WITH_USER = new Set(['invite', 'cancel-invite', 'disable', 'enable', 'set-groups']);
const COMMANDS = new Set([...WITH_USER, 'invites', 'list', ...PROPOSER_COMMANDS]);

function parseTtlHours(text: string): number {
  const hours = Number(text);
  if (!(text.trim() !== '' && hours >= INVITE_TTL_HOURS.min && hours <= INVITE_TTL_HOURS.max))
    throw usageError(cli, `--ttl-hours must be a number of hours from 0.0167 (1 minute) to ${INVITE_TTL_HOURS.max} (14 days), not "${text}"`);
  return hours;
}

function parseGroups(text: string): string[] {
  const names = text.split(',').map((g) => g.trim()).filter((g) => g !== '');
  const parsed = groupsSchema.safeParse(names);
  if (!parsed.success) throw usageError(cli, `--groups: ${parsed.error.issues[0]?.message} (got "${text}")`);
  return parsed.data;
}

const actor = cliActor;

/**
 * Runs one change and writes its audit entry (accepted, refused or failed) as the app's admin routes do:
 * the same detail line for the same action, the actor being cli:<OS user>. A lost entry is said loudly.
 */
async function audited<T>(store: Store, action: AdminAction, change: () => Promise<T>): Promise<T> {
  const write = (outcome: 'accepted' | 'refused' | 'failed', code?: string) => {
    const at = systemClock.now();
    return store
      .appendAudit({ id: timeOrderedId('aud_', systemClock, systemRandom), at, action: 'admin.cli', outcome, sourceIp: 'cli', userName: actor(), detail: describeAdminAction(action).line, ...(code ? { code } : {}) })
      .catch((e: Error) => console.error(`warning: the audit entry was not written (${e.message.split('\n')[0]})`));
  };
  try {
    const result = await change();
    await write('accepted');
    return result;
  } catch (e) {
    const refusal = e instanceof CliError || isKeylaunchError(e);
    await write(refusal ? 'refused' : 'failed', isKeylaunchError(e) ? e.code : refusal ? 'not_found' : 'internal_error');
    throw e;
  }
}

const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandLine(cli, argv, { role: { type: 'string', default: 'operator' }, 'ttl-hours': { type: 'string' }, groups: { type: 'string' }, jobs: { type: 'string' } });
  const [command, userName, ...extra] = positionals;
  if (!command) throw usageError(cli, 'Missing a command');
  if (!COMMANDS.has(command)) throw usageError(cli, `Unknown command "${command}"`);
  if (PROPOSER_COMMANDS.has(command)) {
    if (extra.length || (command === 'proposers' && userName)) throw usageError(cli, `Unexpected argument "${extra[0] ?? userName}"`);
    const table = await openTable();
    try {
      return await proposerCommand(cli, createDynamoStore({ client: documentClient(table.client), tableName: table.tableName }), command, userName, values, table.where);
    } finally {
      await table.close();
    }
  }
  if (WITH_USER.has(command) && !userName) throw usageError(cli, `${command} needs a user name`);
  if (extra.length || (!WITH_USER.has(command) && userName)) throw usageError(cli, `Unexpected argument "${extra[0] ?? userName}"`);
  if (userName && !userNameSchema.safeParse(userName).success) throw usageError(cli, `"${userName}" is not a user name (lowercase letters, digits, ".", "-" and "_", at most 64)`);
  if (values.role !== 'admin' && values.role !== 'operator') throw usageError(cli, `--role must be admin or operator, not "${values.role}"`);
  const ttlHours = parseTtlHours(values['ttl-hours'] ?? '24');
  if (command === 'set-groups' && values.groups === undefined) throw usageError(cli, 'set-groups needs --groups a,b (or --groups= for none)');
  const groups = parseGroups(values.groups ?? '');

  const table = await openTable();
  try {
    const store = createDynamoStore({ client: documentClient(table.client), tableName: table.tableName });
    const directory = createAdminDirectory(table);
    const now = systemClock.now();
    switch (command) {
      case 'list': {
        const people = await directory.listPeople();
        if (people.length === 0) console.log(`Nobody has enrolled yet in ${table.where}. \`npm run admin -- invites\` shows pending invites.`);
        for (const p of people)
          console.log(`${p.name.padEnd(24)} ${p.role.padEnd(9)} ${(p.disabled ? 'disabled' : 'enabled').padEnd(9)} ${p.activeKeys} active key${p.activeKeys === 1 ? '' : 's'}${p.groups?.length ? `  groups: ${p.groups.join(', ')}` : ''}`);
        return 0;
      }
      case 'invites': {
        const invites = await directory.listPendingInvites(now);
        if (invites.length === 0) console.log(`No pending invites in ${table.where}.`);
        for (const i of invites) console.log(`${i.userName.padEnd(24)} ${i.role.padEnd(9)} expires ${when(i.expiresAt)}  by ${i.createdBy}`);
        return 0;
      }
      case 'cancel-invite': {
        const canceled = await audited(store, { kind: 'cancel_invite', userName: userName! }, async () => {
          const n = await directory.cancelInvites(userName!, now);
          if (n === 0) throw new CliError('failed', `${userName} has no pending invite`, '`npm run admin -- invites` lists the pending ones.');
          return n;
        });
        console.log(`Canceled ${canceled} pending invite${canceled === 1 ? '' : 's'} for ${userName}: ${canceled === 1 ? 'its code no longer works' : 'their codes no longer work'}.`);
        return 0;
      }
      case 'disable':
      case 'enable':
      case 'set-groups': {
        const user = await store.getUserByName(userName!);
        const action: AdminAction =
          command === 'set-groups'
            ? { kind: 'set_groups', userId: user?.id ?? '?', userName: userName!, groups }
            : { kind: command === 'disable' ? 'disable' : 'enable', userId: user?.id ?? '?', userName: userName! };
        await audited(store, action, async () => {
          if (!user) {
            const pending = (await directory.listPendingInvites(now)).find((i) => i.userName === userName);
            if (pending)
              throw new CliError('failed', `${userName} has not enrolled yet (their invite is pending until ${when(pending.expiresAt)})`, `To stop it, run \`npm run admin -- cancel-invite ${userName}\`.`);
            throw new CliError('failed', `No user ${userName} in ${table.where}`, '`npm run admin -- list` shows the people.');
          }
          if (command === 'set-groups') await store.setUserGroups(user.id, groups);
          else await store.setUserDisabled(user.id, command === 'disable');
        });
        console.log(command === 'set-groups' ? `${userName}'s groups are now: ${groups.length ? groups.join(', ') : 'none'}.` : `${userName} is now ${command}d.`);
        return 0;
      }
      default: {
        const invite = await audited(store, { kind: 'invite', userName: userName!, role: values.role, groups, ttlHours }, () =>
          createInvite({ store, clock: systemClock, random: systemRandom }, { userName: userName!, role: values.role as 'admin' | 'operator', createdBy: actor(), ttlHours, groups }),
        );
        console.log(`Invite for ${invite.userName} (${invite.role}${invite.groups.length ? `; groups: ${invite.groups.join(', ')}` : ''}), valid until ${when(invite.expiresAt)}:\n\n    ${invite.code}\n`);
        console.log('It is shown only now and works once. Hand it over privately.');
        return 0;
      }
    }
  } finally {
    await table.close();
  }
}

await runCli(cli, main);
