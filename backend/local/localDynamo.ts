import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { documentClient, ensureTable } from '../adapters/dynamo/table';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * dynalite: the DynamoDB protocol on 127.0.0.1, in memory or persisted under `path`. The verifier's
 * DynamoDB adapter talks to it exactly as it talks to AWS.
 */
export async function startLocalDynamo(o: { path?: string; tableName: string }) {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(o.path ? { path: o.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = localDynamoClient(endpoint);
  await ensureTable(client, o.tableName);
  return {
    endpoint,
    client,
    documents: documentClient(client),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A client for a dynalite endpoint: any static credentials, any region. */
export const localDynamoClient = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 2 });
