import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDesktopConfig } from '../electron/main/desktopConfig';

/**
 * `npm run dist -- --config <file>`: an organization's build carries its desktop config (the one deploy
 * wrote) beside main.cjs, where main looks for it first. Checked with the desktop's own rule, so a build
 * never ships a profile the app would refuse. Returns the app origin the build will serve itself at.
 */
export const PROFILE_FILE = 'profile.json';

export async function bakeProfile(o: { configFile: string; outDir?: string }): Promise<{ appOrigin: string; file: string }> {
  const text = await readFile(o.configFile, 'utf8');
  const parsed = parseDesktopConfig(text);
  if ('reason' in parsed) throw new Error(`${o.configFile} is not a config the desktop accepts: ${parsed.reason}`);
  const file = join(o.outDir ?? 'dist', 'electron', PROFILE_FILE);
  await writeFile(file, text);
  return { appOrigin: parsed.config.appOrigin, file };
}
