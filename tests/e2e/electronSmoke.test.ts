import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The real Electron app, where an Electron binary exists (not on our CI machines: it cannot be
 * downloaded here). It opens at the app origin and refuses to navigate away.
 */
function electronBinary(): string | undefined {
  const pathFile = join('node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join('node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8'));
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
if (!binary) console.log('electron smoke test skipped: no Electron binary in node_modules/electron/dist (it cannot be downloaded on this machine)');

describe.skipIf(!binary)('Electron app smoke test', () => {
  it('opens one window at the app origin and refuses a navigation away', { timeout: 120_000 }, async () => {
    const { _electron } = await import('playwright-core');
    const { buildDesktop } = await import('../../build/buildDesktop');
    await buildDesktop({ quiet: true });
    const app = await _electron.launch({ executablePath: binary, args: ['dist/electron/main.cjs'] });
    try {
      const window = await app.firstWindow();
      await window.waitForLoadState('domcontentloaded');
      expect(new URL(window.url()).origin).toBe('http://localhost:5317');
      await window.evaluate(() => globalThis.location.assign('https://example.com/')).catch(() => undefined);
      await window.waitForTimeout(500);
      expect(new URL(window.url()).origin).toBe('http://localhost:5317');
      expect(app.windows()).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
