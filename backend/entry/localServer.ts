import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Verifier } from '../createVerifier';
import { KeylaunchError, errorBody } from '../core/errors';

/**
 * The local verifier: node:http on 127.0.0.1 only, over the same request handler as the Lambda.
 * Bodies are read up to one byte past the limit and no further, so the handler refuses them
 * (`payload_too_large`) without this server ever holding a large body.
 * A web page can reach 127.0.0.1 too, under a name of its own that resolves there (DNS rebinding): the
 * Host header must name this server's own loopback address and port, or nothing is read.
 */
export async function startLocalServer(o: { verifier: Verifier; port: number; maxBodyBytes: number }): Promise<{ server: Server; url: string }> {
  let ownHosts: string[] = [];
  const server = createServer(async (req, res) => {
    if (!ownHosts.includes((req.headers.host ?? '').toLowerCase())) {
      const refusal = new KeylaunchError('host_not_allowed', 'This verifier answers only at its own loopback address.');
      res.writeHead(refusal.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
      res.end(JSON.stringify(errorBody(refusal)));
      req.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req, o.maxBodyBytes + 1);
    const response = await o.verifier.handle({
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v])),
      body: body.text,
      sourceIp: req.socket.remoteAddress ?? '',
    });
    res.writeHead(response.status, { ...response.headers, ...(body.complete ? {} : { connection: 'close' }) });
    res.end(response.body);
    if (!body.complete) req.destroy();
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  ownHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  return { server, url: `http://127.0.0.1:${port}` };
}

function readBody(req: IncomingMessage, cap: number): Promise<{ text: string | undefined; complete: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (complete: boolean) => {
      if (done) return;
      done = true;
      resolve({ text: size === 0 && complete ? undefined : Buffer.concat(chunks).toString('utf8'), complete });
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      chunks.push(chunk.subarray(0, cap - size));
      size += Math.min(chunk.length, cap - size);
      if (size >= cap) {
        req.pause();
        finish(false);
      }
    });
    req.on('end', () => finish(true));
    req.on('error', () => finish(false));
  });
}
