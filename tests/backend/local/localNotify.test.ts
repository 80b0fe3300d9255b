import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalMode } from '../../../backend/local/localMode';
import { loadLocalSettings } from '../../../backend/local/localSettings';
import { createInvite } from '../../../backend/core/invites';
import { systemClock, systemRandom } from '../../../backend/createVerifier';
import { SoftAuthenticator } from '../../support/softAuthenticator';
import { startWebhookReceiver, verifySignature } from '../../support/webhookReceiver';

/**
 * Local mode as `npm start` assembles it, with `notifications` in .keylaunch/local.json: enrolling a key
 * reaches a webhook receiver on this machine, signed with the key file local mode made (0600), which the
 * receiver reads as docs/notifications.md says.
 */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('local mode notifications', () => {
  it('a key enrolled is told to the local.json webhook, signed with .keylaunch/notify-secret', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kl-local-notify-'));
    const port = await freePort();
    // The key file does not exist until the first delivery: the signature is checked below, with the file's key.
    const hook = await startWebhookReceiver({ secret: Buffer.alloc(0) });
    writeFileSync(join(dataDir, 'local.json'), JSON.stringify({ sessionSecret: Buffer.alloc(32, 9).toString('base64'), verifierPort: port, notifications: { destinations: { me: { webhook: `${hook.url}/keylaunch` } }, everyEvent: ['me'] } }));
    const { settings } = await loadLocalSettings(dataDir);
    const local = await startLocalMode({ dataDir, settings, jobsFile: 'jobs/local.jobs.json' });
    try {
      const api = async (path: string, body: unknown) => (await (await fetch(local.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as any;
      const { code } = await createInvite({ store: local.store, clock: systemClock, random: systemRandom }, { userName: 'alice', role: 'operator', createdBy: 'test', ttlHours: 1 });
      const key = new SoftAuthenticator(`http://localhost:${port}`);
      const enroll = await api('/v1/enroll/options', { inviteCode: code });
      const registration = key.register(enroll.options);
      expect((await api('/v1/enroll/verify', { intentId: enroll.intentId, registration, label: 'primary' })).user.name).toBe('alice');

      const file = join(dataDir, 'notify-secret');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(hook.deliveries).toHaveLength(1);
      const [d] = hook.deliveries;
      expect(d!.path).toBe('/keylaunch');
      expect(d!.body).toMatchObject({ v: 1, type: 'key.added', user: 'alice', keyId: registration.id });
      expect(verifySignature(Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8'), d!.headers, d!.raw)).toBe(true);
    } finally {
      await local.close();
      await hook.close();
    }
  });
});
