import { createHmac, timingSafeEqual } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A webhook receiver on 127.0.0.1, over HTTP or HTTPS (a self-signed certificate made by openssl for
 * this run): it records every delivery and checks its signature the way docs/notifications.md tells a
 * receiver to — with its own HMAC code, not the sender's, so a wrong signature shows here.
 */
export interface Delivery {
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  body: any;
  /** The signature checked out under `secret` for the timestamp header and raw body. */
  signed: boolean;
}

export type Behaviour = 'ok' | 'hang' | 'redirect' | 'error';

export async function startWebhookReceiver(o: { secret: Buffer; tls?: boolean }) {
  const deliveries: Delivery[] = [];
  let behaviour: Behaviour = 'ok';
  let cert: string | undefined;
  const hanging = new Set<ServerResponse>();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      deliveries.push({ path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw), signed: verifySignature(o.secret, req.headers, raw) });
      if (behaviour === 'hang') return void hanging.add(res);
      if (behaviour === 'redirect') return res.writeHead(307, { location: `${url}/elsewhere` }).end();
      if (behaviour === 'error') return res.writeHead(500).end('a long error page the sender must not read');
      res.writeHead(204).end();
    });
  };
  let server;
  if (o.tls) {
    const dir = mkdtempSync(join(tmpdir(), 'kl-hook-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, handle);
  } else {
    server = createServer(handle);
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `${o.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    cert,
    deliveries,
    behave: (b: Behaviour) => void (behaviour = b),
    close: () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/** What a receiver does (docs/notifications.md): HMAC-SHA256 over `<timestamp>.<raw body>`, compared in constant time. */
export function verifySignature(secret: Buffer, headers: IncomingMessage['headers'], raw: string): boolean {
  const timestamp = String(headers['x-keylaunch-timestamp'] ?? '');
  const given = /^v1=([0-9a-f]{64})$/.exec(String(headers['x-keylaunch-signature'] ?? ''))?.[1];
  if (!/^\d{10}$/.test(timestamp) || !given) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}
