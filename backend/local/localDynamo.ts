import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
  const port = (server.address() as AddressInfo).port;
  closeToBrowsers(server, [`127.0.0.1:${port}`]);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  await ensureTable(client, o.tableName);
  return {
    endpoint,
    client,
    documents: documentClient(client),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * dynalite answers CORS preflights for any origin, so any web page could read and write the local
 * table at 127.0.0.1. Only the SDK may talk to it: a request a browser made (it always sends Origin or
 * Sec-Fetch-* on cross-origin requests and preflights) or one addressed by another name (DNS
 * rebinding) is refused before dynalite sees it.
 */
function closeToBrowsers(server: Server, ownHosts: string[]): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const fromBrowser = req.method === 'OPTIONS' || ['origin', 'sec-fetch-site', 'sec-fetch-mode'].some((h) => req.headers[h] !== undefined);
    if (fromBrowser || !ownHosts.includes((req.headers.host ?? '').toLowerCase())) {
      res.writeHead(403, { 'content-type': 'text/plain', connection: 'close' });
      res.end('forbidden');
      return;
    }
    for (const handler of handlers) handler.call(server, req, res);
  });
}

/** A client for a dynalite endpoint: any static credentials, any region. */
export const localDynamoClient = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 2 });
