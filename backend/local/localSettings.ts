import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as z from 'zod';

/**
 * Local mode's settings, kept in the data folder (default `.keylaunch/`, or KEYLAUNCH_DATA): the session
 * secret is made on first start and stays on this machine, readable by its owner only.
 */
const settingsSchema = z.object({
  sessionSecret: z.string(),
  verifierPort: z.number().int().min(1).max(65535).default(8787),
  adminName: z.string().default('admin'),
});
export type LocalSettings = z.infer<typeof settingsSchema>;

export const dataDir = () => resolve(process.env.KEYLAUNCH_DATA ?? '.keylaunch');

export async function loadLocalSettings(dir = dataDir()): Promise<LocalSettings> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'local.json');
  try {
    return settingsSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file} is not valid: ${(e as Error).message}`);
  }
  const settings = settingsSchema.parse({ sessionSecret: randomBytes(32).toString('base64') });
  await writeFile(file, JSON.stringify(settings, null, 2) + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
  return settings;
}
