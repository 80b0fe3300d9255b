import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A network between the desktop's client and a real verifier that rewrites the verifier's JSON answers
 * as the test says (a hostile or buggy verifier, or anything in between): `tamper` gets the method, the
 * path and the parsed answer, and returns the answer to deliver (or the same object to pass it through).
 */
export type Tamper = (method: string, path: string, body: any) => unknown;

export async function startTamperingNetwork(verifierUrl: string) {
  const target = new URL(verifierUrl);
  const state: { tamper: Tamper } = { tamper: (_m, _p, body) => body };
  const server = createServer((req, res) => {
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let out = raw;
        try {
          out = JSON.stringify(state.tamper(req.method!, req.url!, JSON.parse(raw)));
        } catch {
          // not JSON: delivered as it came
        }
        res.writeHead(answer.statusCode!, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) }).end(out);
      });
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
