import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import { CliError } from '../cli/runCli';
import { localNotifySchema } from '../core/notifyConfig';

/**
 * Local mode's settings, kept in the data folder (default `.keylaunch/`, or KEYLAUNCH_DATA): the session
 * secret is made on first start and stays on this machine, readable by its owner only.
 */
const settingsSchema = z.strictObject({
  sessionSecret: z.string().min(32),
  verifierPort: z.number().int().min(1).max(65535).default(8787),
  adminName: z.string().default('admin'),
  /** Issue 16 §3: webhooks told of requests, runs and key changes (docs/notifications.md). */
  notifications: localNotifySchema.optional(),
});
export type LocalSettings = z.infer<typeof settingsSchema>;

export const dataDir = () => resolve(process.env.KEYLAUNCH_DATA ?? '.keylaunch');

/** The settings, and whether this call made them (a first start). */
export async function loadLocalSettings(dir = dataDir()): Promise<{ settings: LocalSettings; created: boolean }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'local.json');
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (text !== undefined) return { settings: parseSettings(file, text), created: false };
  const settings = settingsSchema.parse({ sessionSecret: randomBytes(32).toString('base64') });
  await writeFile(file, JSON.stringify(settings, null, 2) + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
  return { settings, created: true };
}

function parseSettings(file: string, text: string): LocalSettings {
  const fix = `Fix it, or delete it to start over with defaults (a new session secret; enrolled keys stay).`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError('setup', `${file} is not valid JSON (${(e as Error).message.split('\n')[0]})`, fix, { cause: e });
  }
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const what = issue.code === 'unrecognized_keys' ? `unknown setting "${issue.keys[0]}"` : `${issue.path.join('.') || 'the file'}: ${issue.message}`;
    throw new CliError('setup', `${file} is not valid: ${what}`, `Settings: ${Object.keys(settingsSchema.shape).join(', ')}. ${fix}`);
  }
  return parsed.data;
}
