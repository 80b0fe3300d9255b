import * as z from 'zod';
import { readFile } from 'node:fs/promises';
import type { ConfigState } from '../shared/desktopApi';

/**
 * The desktop config file that `npm run deploy` (or `npm start`) writes: where the verifier is, the
 * origin the app is served at (WebAuthn's origin), the rpId, who this desktop's person is, and optional
 * certificate pins. Checked strictly: a bad file shows a clear screen, never a crash.
 */
const isLoopbackHost = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '[::1]';

export const desktopConfigSchema = z
  .strictObject({
    verifierUrl: z.url(),
    appOrigin: z.url(),
    rpId: z.string().min(1).max(253),
    userName: z.string().min(1).max(64),
    /** SHA-256 of the verifier certificate's SubjectPublicKeyInfo, base64. Any one may match. */
    pinSha256: z.array(z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'base64 SHA-256')).max(5).optional(),
  })
  .superRefine((c, ctx) => {
    const verifier = new URL(c.verifierUrl);
    const app = new URL(c.appOrigin);
    if (verifier.protocol !== 'https:' && !(verifier.protocol === 'http:' && isLoopbackHost(verifier.hostname))) {
      ctx.addIssue({ code: 'custom', path: ['verifierUrl'], message: 'must be https (http only to 127.0.0.1 in local mode)' });
    }
    if (app.origin !== c.appOrigin.replace(/\/$/, '')) ctx.addIssue({ code: 'custom', path: ['appOrigin'], message: 'must be an origin only (scheme, host, port)' });
    if (app.protocol !== 'https:' && !(app.protocol === 'http:' && app.hostname === 'localhost')) {
      ctx.addIssue({ code: 'custom', path: ['appOrigin'], message: 'must be https://<host> or http://localhost:<port> (WebAuthn needs a secure origin)' });
    }
    if (app.hostname !== c.rpId && !app.hostname.endsWith(`.${c.rpId}`)) {
      ctx.addIssue({ code: 'custom', path: ['rpId'], message: 'must be the app host or a parent domain of it' });
    }
  });
export type DesktopConfig = z.infer<typeof desktopConfigSchema> & { mode: 'local' | 'remote' };

export function parseDesktopConfig(text: string): { config: DesktopConfig } | { reason: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { reason: 'The config file is not valid JSON.' };
  }
  const parsed = desktopConfigSchema.safeParse(doc);
  if (!parsed.success) return { reason: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  const mode = isLoopbackHost(new URL(parsed.data.verifierUrl).hostname) ? 'local' : 'remote';
  return { config: { ...parsed.data, appOrigin: new URL(parsed.data.appOrigin).origin, mode } };
}

/** The config given on the command line (`--keylaunch-config=<file>`), else the imported one, else none. */
export async function loadDesktopConfig(o: { argv: string[]; importedFile: string }): Promise<{ config?: DesktopConfig; state: ConfigState }> {
  const flag = o.argv.find((a) => a.startsWith('--keylaunch-config='));
  const file = flag ? flag.slice('--keylaunch-config='.length) : o.importedFile;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return flag ? { state: { state: 'invalid', reason: `Cannot read ${file}.` } } : { state: { state: 'missing' } };
  }
  return configState(parseDesktopConfig(text));
}

export function configState(result: ReturnType<typeof parseDesktopConfig>): { config?: DesktopConfig; state: ConfigState } {
  if ('reason' in result) return { state: { state: 'invalid', reason: result.reason } };
  const { verifierUrl, appOrigin, rpId, userName, mode } = result.config;
  return { config: result.config, state: { state: 'ok', verifierUrl, appOrigin, rpId, userName, mode } };
}
