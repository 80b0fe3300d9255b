import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A network between the desktop's client and a verifier that loses what the test says, for the
 * lost-answer cases of issue 12. `answer`: the confirmation reaches the verifier, which answers in full,
 * and the answer is lost (the connection is dropped). `answer-and-after`: the same, and everything from
 * then on is lost too. `request`: the confirmation never reaches the verifier. `everything`: all is lost.
 */
export type Loss = 'none' | 'answer' | 'request' | 'everything' | 'answer-and-after';

export async function startLossyNetwork(verifierUrl: string) {
  const target = new URL(verifierUrl);
  const state = { loss: 'none' as Loss, confirmsDelivered: 0 };
  const server = createServer((req, res) => {
    const isConfirm = req.method === 'POST' && req.url === '/v1/runs/confirm';
    if (state.loss === 'everything' || (state.loss === 'request' && isConfirm)) return void req.socket.destroy();
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        if (state.loss === 'answer-and-after' && isConfirm) state.loss = 'everything';
        if ((state.loss === 'answer' || state.loss === 'everything') && isConfirm) return void req.socket.destroy();
        res.writeHead(answer.statusCode!, answer.headers).end(Buffer.concat(chunks));
      });
    });
    if (isConfirm) state.confirmsDelivered++;
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
