import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDynamoStore } from '../adapters/dynamo/dynamoStore';
import { documentClient } from '../adapters/dynamo/table';
import { createInvite } from '../core/invites';
import { isKeylaunchError } from '../core/errors';
import { systemClock, systemRandom } from '../createVerifier';
import { localDynamoClient, startLocalDynamo } from '../local/localDynamo';
import { dataDir } from '../local/localSettings';
import { LOCAL_TABLE } from '../local/localMode';

const USAGE = `Usage: npm run admin -- invite <user> [--role admin|operator] [--ttl-hours N]
       npm run admin -- disable <user>      (refuses their unlocks; ends their sessions)
       npm run admin -- enable <user>

  invite makes a one-time code (shown once, stored only as a hash); the person enrolls their key with it.
  Local mode by default (the data folder, KEYLAUNCH_DATA or .keylaunch/); with KEYLAUNCH_TABLE set, the
  DynamoDB table of a deployed verifier, with your AWS credentials.`;

async function openStore() {
  if (process.env.KEYLAUNCH_TABLE) {
    const client = new DynamoDBClient({});
    return { store: createDynamoStore({ client: documentClient(client), tableName: process.env.KEYLAUNCH_TABLE }), close: async () => undefined };
  }
  const dir = dataDir();
  // A running `npm start` holds the database: talk to its dynalite. Otherwise open the folder ourselves.
  const endpoint = (await readFile(join(dir, 'dynamo.endpoint'), 'utf8').catch(() => '')).trim();
  if (endpoint) {
    const client = localDynamoClient(endpoint);
    const alive = await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE })).then(() => true, () => false);
    if (alive) return { store: createDynamoStore({ client: documentClient(client), tableName: LOCAL_TABLE }), close: async () => undefined };
  }
  const dynamo = await startLocalDynamo({ path: join(dir, 'dynamo'), tableName: LOCAL_TABLE });
  return { store: createDynamoStore({ client: dynamo.documents, tableName: LOCAL_TABLE }), close: dynamo.close };
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string', default: 'operator' }, 'ttl-hours': { type: 'string', default: '24' }, help: { type: 'boolean' } },
  });
  const [command, userName] = positionals;
  if (values.help || !['invite', 'disable', 'enable'].includes(command ?? '') || !userName) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (values.role !== 'admin' && values.role !== 'operator') {
    console.error('--role must be admin or operator');
    return 2;
  }
  const { store, close } = await openStore();
  try {
    if (command === 'disable' || command === 'enable') {
      const user = await store.getUserByName(userName);
      if (!user) {
        console.error(`No user ${userName}.`);
        return 1;
      }
      await store.setUserDisabled(user.id, command === 'disable');
      console.log(`${userName} is now ${command}d.`);
      return 0;
    }
    const invite = await createInvite(
      { store, clock: systemClock, random: systemRandom },
      { userName, role: values.role, createdBy: `cli:${process.env.USER ?? 'unknown'}`, ttlHours: Number(values['ttl-hours']) },
    );
    console.log(`Invite for ${invite.userName} (${invite.role}), valid until ${new Date(invite.expiresAt).toISOString()}:\n\n    ${invite.code}\n`);
    console.log('It is shown only now and works once. Hand it over privately.');
    return 0;
  } catch (e) {
    if (isKeylaunchError(e)) {
      console.error(`${e.code}: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    await close();
  }
}

process.exitCode = await main(process.argv.slice(2));
