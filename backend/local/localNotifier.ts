import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createNotifier } from '../adapters/notify/createNotifier';
import { loadOnFirstUse } from '../adapters/loadOnFirstUse';
import type { Notifier } from '../core/ports';
import type { LocalSettings } from './localSettings';

export const NOTIFY_SECRET_FILE = 'notify-secret';

/**
 * Local mode's notifier: the webhooks `.keylaunch/local.json` names (`notifications`), signed with a key
 * kept in `<data folder>/notify-secret`, made on first use and readable by its owner only (the
 * receiver reads the same file). Absent when the config names no destination.
 */
export function localNotifier(dataDir: string, settings: Pick<LocalSettings, 'notifications'>): Notifier | undefined {
  const n = settings.notifications;
  if (!n || !Object.keys(n.destinations).length) return undefined;
  return createNotifier({ ...n, mode: 'local', webhookSecret: loadOnFirstUse(() => localNotifySecret(dataDir)) });
}

/** The signing key, made (32 random bytes, hex) when missing; always left 0600. */
export async function localNotifySecret(dataDir: string): Promise<Buffer> {
  const file = join(dataDir, NOTIFY_SECRET_FILE);
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    text = randomBytes(32).toString('hex');
    // `wx`: two first deliveries at once cannot both write a key; the loser reads the winner's.
    await writeFile(file, `${text}\n`, { mode: 0o600, flag: 'wx' }).catch(async (w: NodeJS.ErrnoException) => {
      if (w.code !== 'EEXIST') throw w;
      text = (await readFile(file, 'utf8')).trim();
    });
  }
  await chmod(file, 0o600);
  if (text.length < 32) throw new Error(`${file} holds less than 32 characters: delete it to make a new key`);
  return Buffer.from(text, 'utf8');
}
