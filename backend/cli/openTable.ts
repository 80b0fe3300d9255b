import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localDynamoClient, startLocalDynamo } from '../local/localDynamo';
import { dataDir } from '../local/localSettings';
import { LOCAL_TABLE } from '../local/localMode';
import { CliError } from './runCli';

/**
 * The verifier's table as the CLIs (`npm run admin`, `npm run verify`) reach it: with KEYLAUNCH_TABLE, a
 * deployed verifier's DynamoDB table with the caller's AWS credentials; otherwise local mode's data folder
 * (KEYLAUNCH_DATA or .keylaunch/), through a running `npm start`'s dynalite or opened here.
 */
export async function openTable() {
  const tableName = process.env.KEYLAUNCH_TABLE;
  if (tableName) {
    const client = new DynamoDBClient({});
    return { client, tableName, local: false, where: `table ${tableName}`, close: async () => client.destroy() };
  }
  const dir = dataDir();
  // A running `npm start` holds the database: talk to its dynalite. Otherwise open the folder ourselves.
  const endpoint = (await readFile(join(dir, 'dynamo.endpoint'), 'utf8').catch(() => '')).trim();
  if (/^http:\/\/127\.0\.0\.1:\d+$/.test(endpoint)) {
    const client = localDynamoClient(endpoint);
    const alive = await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE })).then(() => true, () => false);
    if (alive) return { client, tableName: LOCAL_TABLE, local: true, where: `local mode (${dir}, running)`, close: async () => client.destroy() };
  }
  const dynamo = await startLocalDynamo({ path: join(dir, 'dynamo'), tableName: LOCAL_TABLE }).catch((e: Error) => {
    throw new CliError('setup', `Cannot open local mode's database in ${dir} (${e.message.split('\n')[0]})`, 'If `npm start` is running, stop it and retry, or set KEYLAUNCH_DATA to the right folder.', { cause: e });
  });
  return { client: dynamo.client, tableName: LOCAL_TABLE, local: true, where: `local mode (${dir})`, close: dynamo.close };
}
