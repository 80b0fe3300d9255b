import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness';
import { CHROMIUM } from '../support/desktopE2e';
import { startLocalDynamo } from '../../backend/local/localDynamo';

/**
 * Issue 11 §2, from a real browser: a web page open on the person's own machine (Chromium, an origin
 * of its own) tries what a page can do against local mode — "simple" cross-site POSTs to the verifier,
 * CORS calls to dynalite, and DNS rebinding (a name of its own that resolves to 127.0.0.1).
 */
let h: Harness;
let dynamo: Awaited<ReturnType<typeof startLocalDynamo>>;
let browser: Browser;
let page: Page;
let evilServer: Server;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium).`);
  h = await startHarness({ config: { rateLimit: { windowSeconds: 300, maxFailuresPerIp: 3, maxFailuresPerUser: 3 } } });
  dynamo = await startLocalDynamo({ tableName: 'kl-web' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--host-resolver-rules=MAP rebind.test 127.0.0.1, MAP evil.test 127.0.0.1'],
  });
  // The attacker's page, at an origin of its own, served from this machine (a local dev server, say):
  // Chromium's Local Network Access blocks a public page's requests to 127.0.0.1, so the page must be
  // on loopback too for the requests to reach us at all — which is what other browsers allow anyway.
  evilServer = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>evil</title>'));
  await new Promise<void>((r) => evilServer.listen(0, '127.0.0.1', r));
  page = await browser.newPage();
  await page.goto(`http://evil.test:${(evilServer.address() as AddressInfo).port}/`);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => evilServer?.close(r));
  await dynamo?.close();
  await h?.close();
});

describe('a web page on the same machine', () => {
  it('cannot use the verifier: simple cross-site POSTs are refused, count for nothing and store nothing', async () => {
    const victim = await h.enroll({ role: 'admin' });
    const auditBefore = (await h.auditEntries()).length;
    const eventsBefore = h.events.length;
    const sent = await page.evaluate(async (url) => {
      const shots = [];
      for (let i = 0; i < 6; i++) {
        // No preflight: text/plain and no-cors. The page cannot read the answer, but the request goes out.
        shots.push(fetch(`${url}/v1/unlock/options`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"userName":"x"}' }).then(() => 'sent', () => 'error'));
      }
      return Promise.all(shots);
    }, h.url);
    expect(sent).toEqual(Array(6).fill('sent'));
    const refusals = h.events.slice(eventsBefore);
    expect(refusals).toHaveLength(6);
    expect(refusals.every((e) => e.code === 'origin_not_allowed')).toBe(true);
    expect((await h.auditEntries()).length).toBe(auditBefore);
    expect(await h.store.recentFailures('ip:127.0.0.1', 0, 10)).toEqual([]);
    // Six tries with a limit of three: the person on this machine is not locked out.
    expect((await h.unlock(victim)).status).toBe(200);
  });

  it('cannot read or write the local DynamoDB (dynalite), which would otherwise answer any origin', async () => {
    const cors = await page.evaluate(
      (endpoint) =>
        fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.CreateTable' },
          body: JSON.stringify({ TableName: 'planted', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }),
        }).then(async (r) => `answered ${r.status}: ${await r.text()}`, (e: Error) => `blocked: ${e.name}`),
      dynamo.endpoint,
    );
    expect(cors).toMatch(/^blocked/);
    // The table is untouched and the SDK still works.
    const { ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
    expect((await dynamo.client.send(new ListTablesCommand({}))).TableNames).toEqual(['kl-web']);
  });

  it('cannot reach the verifier by DNS rebinding: a name of its own that resolves to 127.0.0.1 gets 421', async () => {
    const port = new URL(h.url).port;
    const rebound = await browser.newPage();
    try {
      // A top-level navigation sends no Origin: only the Host check stands in the way.
      const res = await rebound.goto(`http://rebind.test:${port}/v1/session`);
      expect(res?.status()).toBe(421);
      expect(await res?.json()).toMatchObject({ error: { code: 'host_not_allowed' } });
    } finally {
      await rebound.close();
    }
  });
});
