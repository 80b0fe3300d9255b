import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifierClient, spkiSha256 } from '../../electron/main/verifierClient';

/** A real TLS server with a self-signed certificate for 127.0.0.1, made by openssl for this run. */
let tls: HttpsServer;
let plain: Server;
let cert: string;
let pin: string;
let tlsRequests = 0;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kl-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  pin = spkiSha256(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' }));
  tls = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
    tlsRequests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url, auth: req.headers.authorization ?? null }));
  });
  plain = createServer((req, res) => {
    if (req.url === '/v1/refuse') return void res.writeHead(409).end(JSON.stringify({ error: { code: 'job_config_changed', message: 'changed' } }));
    if (req.url === '/v1/html') return void res.writeHead(502).end('<html>bad gateway</html>');
    res.writeHead(200).end(JSON.stringify({ ok: true }));
  });
  await Promise.all([new Promise<void>((r) => tls.listen(0, '127.0.0.1', r)), new Promise<void>((r) => plain.listen(0, '127.0.0.1', r))]);
});
afterAll(() => {
  tls.close();
  plain.close();
});
const tlsUrl = () => `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
const plainUrl = () => `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;

describe('verifier client', () => {
  it('speaks to a pinned verifier and sends the session token', async () => {
    const client = createVerifierClient({ verifierUrl: tlsUrl(), ca: cert, pinSha256: [pin] });
    const r = await client.call('GET', '/v1/jobs', { token: 'v1.a.b' });
    expect(r).toEqual({ ok: true, value: { path: '/v1/jobs', auth: 'Bearer v1.a.b' } });
  });

  it('drops a connection whose certificate key is not pinned, before sending anything', async () => {
    const before = tlsRequests;
    const client = createVerifierClient({ verifierUrl: tlsUrl(), ca: cert, pinSha256: ['A'.repeat(43) + '='] });
    const r = await client.call('POST', '/v1/runs/confirm', { body: { secret: 'x' }, token: 'v1.a.b' });
    expect(r).toMatchObject({ ok: false, error: { code: 'certificate_mismatch' } });
    expect(tlsRequests).toBe(before);
  });

  it('refuses an untrusted certificate even without pins', async () => {
    const r = await createVerifierClient({ verifierUrl: tlsUrl() }).call('GET', '/v1/jobs');
    expect(r).toMatchObject({ ok: false, error: { code: 'verifier_unreachable' } });
  });

  it('passes the verifier’s error codes through, and says when it cannot be reached', async () => {
    const client = createVerifierClient({ verifierUrl: plainUrl() });
    expect(await client.call('POST', '/v1/refuse', { body: {} })).toEqual({ ok: false, error: { code: 'job_config_changed', message: 'changed' } });
    expect(await client.call('GET', '/v1/html')).toMatchObject({ ok: false, error: { code: 'verifier_unreachable' } });
    const closed = createVerifierClient({ verifierUrl: 'http://127.0.0.1:1' });
    expect(await closed.call('GET', '/v1/jobs')).toMatchObject({ ok: false, error: { code: 'verifier_unreachable' } });
  });
});

describe('a verifier URL with a path (an API Gateway stage)', () => {
  it('keeps the stage in front of every route, and says the desktop version', async () => {
    const client = createVerifierClient({ verifierUrl: `${tlsUrl()}/prod/`, ca: cert, desktopVersion: '0.1.0' });
    const seen: { url?: string; version?: string | string[] }[] = [];
    tls.prependOnceListener('request', (req) => seen.push({ url: req.url, version: req.headers['x-keylaunch-desktop-version'] }));
    const r = await client.call<{ path: string }>('GET', '/v1/runs?limit=5');
    expect(r).toMatchObject({ ok: true, value: { path: '/prod/v1/runs?limit=5' } });
    expect(seen).toEqual([{ url: '/prod/v1/runs?limit=5', version: '0.1.0' }]);
  });
});

describe('a request never leaves the verifier’s origin', () => {
  it('refuses a base path or route that would resolve to another host, sending nothing there', async () => {
    let attackerSaw = 0;
    const attacker = createServer((_req, res) => (attackerSaw++, res.writeHead(200).end('{}')));
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    const elsewhere = `127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    try {
      for (const base of [`${plainUrl()}//${elsewhere}`, `${plainUrl()}/..//${elsewhere}`, `${plainUrl()}/\\${elsewhere}`]) {
        expect(await createVerifierClient({ verifierUrl: base }).call('GET', '/v1/jobs'), base).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      }
      expect(await createVerifierClient({ verifierUrl: plainUrl() }).call('GET', `//${elsewhere}/v1/jobs`)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      expect(attackerSaw).toBe(0);
    } finally {
      attacker.close();
    }
  });
});
