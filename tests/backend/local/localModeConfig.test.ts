import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalMode } from '../../../backend/local/localMode';
import { parseDesktopConfig } from '../../../electron/main/desktopConfig';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

describe('local mode and the desktop agree on the origin', () => {
  it('the config `npm start` writes is accepted, and the app origin it derives is the one the verifier expects', async () => {
    const port = await freePort();
    const local = await startLocalMode({
      dataDir: mkdtempSync(join(tmpdir(), 'kl-local-')),
      settings: { sessionSecret: Buffer.alloc(32, 7).toString('base64'), verifierPort: port, adminName: 'admin' },
      jobsFile: 'jobs/local.jobs.json',
    });
    try {
      // What backend/local/start.ts writes:
      const parsed = parseDesktopConfig(JSON.stringify({ verifierUrl: local.url, rpId: local.config.rpId, userName: 'admin' }));
      expect(parsed).toMatchObject({ config: { mode: 'local', appOrigin: `http://localhost:${port}`, rpId: 'localhost' } });
      expect(local.config.origins).toEqual([`http://localhost:${port}`]);
    } finally {
      await local.close();
    }
  });
});
