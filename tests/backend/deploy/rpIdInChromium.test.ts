import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { desktopConfigFor } from '../../../backend/deploy/postDeploy';
import { CHROMIUM } from '../../support/desktopE2e';
import { parseDesktopConfig } from '../../../electron/main/desktopConfig';

/**
 * The desktop config deploy writes for a stage URL makes the app origin the API's own host and the rpId
 * that exact host. execute-api.<region>.amazonaws.com is on the public suffix list, so only the exact host
 * can be an rpId there. Checked in real Chromium (its own PSL, its own WebAuthn, a virtual authenticator),
 * with the page served at that origin as the app's protocol handler serves it.
 */
// The app's origin as the desktop derives it from that config (electron/main/desktopConfig.ts).
const parsed = parseDesktopConfig(JSON.stringify(desktopConfigFor('https://abc123defg.execute-api.eu-west-1.amazonaws.com/live', 'ada')));
if (!('config' in parsed) || !parsed.config) throw new Error('the desktop refuses the config deploy writes');
const config = parsed.config;
let browser: Browser;
let page: Page;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium).`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const context = await browser.newContext();
  await context.route('**/*', (route) =>
    new URL(route.request().url()).origin === config.appOrigin ? route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>app</title>' }) : route.abort('blockedbyclient'),
  );
  page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true } });
  await page.goto(`${config.appOrigin}/`);
}, 60_000);
afterAll(() => browser?.close());

/** A registration with this rpId: 'created' or the DOMException's name. Bounded: a ceremony can hang. */
const register = (rpId: string) =>
  page.evaluate(async (id) => {
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('timed out'), 10_000));
    const ceremony = navigator.credentials
      .create({
        publicKey: {
          rp: { id, name: 'keylaunch' },
          user: { id: new Uint8Array(16), name: 'ada', displayName: 'ada' },
          challenge: crypto.getRandomValues(new Uint8Array(32)),
          pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
          timeout: 8_000,
        },
      })
      .then(() => 'created', (e: DOMException) => e.name);
    return Promise.race([ceremony, timeout]);
  }, rpId);

describe('the rpId deploy writes, in Chromium', () => {
  it('is the API’s exact host, and WebAuthn accepts it at the app origin deploy writes', async () => {
    expect(config).toMatchObject({ appOrigin: 'https://abc123defg.execute-api.eu-west-1.amazonaws.com', rpId: 'abc123defg.execute-api.eu-west-1.amazonaws.com' });
    expect(await register(config.rpId)).toBe('created');
  });

  it('a parent of it would not work: execute-api.<region>.amazonaws.com is a public suffix', async () => {
    expect(await register('execute-api.eu-west-1.amazonaws.com')).toBe('SecurityError');
  });
});
