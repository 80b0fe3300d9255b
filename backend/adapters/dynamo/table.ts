import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdkDocuments } from './sdkDocuments';
import type { DocumentClient } from './documentCommands';

/** The store's documents over the SDK; `undefined` members (optional record fields) are dropped, not refused. */
export function documentClient(client: DynamoDBClient): DocumentClient {
  return sdkDocuments(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }));
}

/**
 * Local mode and tests: create the table if it is missing, and return once it is ACTIVE. dynalite answers
 * ResourceNotFoundException to item calls while a table is CREATING, and on a persisted folder under load
 * that state outlasts the CreateTable call: the first write of a CLI then failed. In AWS the deploy stack
 * owns the table.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  let status: string | undefined;
  try {
    status = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus;
  } catch (e) {
    if (!(e instanceof Error && e.name === 'ResourceNotFoundException')) throw e;
  }
  if (status === undefined) {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  }
  // Bounded: 10 s of 20 ms polls; dynalite here is told to create tables at once, so this is a few polls.
  for (let i = 0; status !== 'ACTIVE'; i++) {
    if (i > 500) throw new Error(`Table ${tableName} did not become ACTIVE (it is ${status ?? 'missing'}).`);
    if (i > 0) await new Promise((r) => setTimeout(r, 20));
    status = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus;
  }
}
