import * as z from 'zod';
import { readFile } from 'node:fs/promises';
import type { ConfigState } from '../shared/desktopApi';
import { appOriginFor, rpIdProblem } from './appOrigin';

/**
 * The desktop config file that `npm run deploy` (or `npm start`) writes: where the verifier is, the
 * rpId, who this desktop's person is, and optional certificate pins. The app origin is not a setting:
 * it is the verifier's own origin (./appOrigin.ts). Checked strictly: a bad file shows a clear screen
 * with the reason, never a crash, and is never served.
 */
export const desktopConfigSchema = z
  .strictObject({
    verifierUrl: z.url(),
    /** Optional, for older files: when present it must be the verifier's own origin. */
    appOrigin: z.string().max(300).optional(),
    rpId: z.string().min(1).max(253),
    userName: z.string().min(1).max(64),
    /** SHA-256 of the verifier certificate's SubjectPublicKeyInfo, base64. Any one may match. */
    pinSha256: z.array(z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'base64 SHA-256')).max(5).optional(),
  })
  .transform((c, ctx) => {
    const verifier = new URL(c.verifierUrl);
    const ruling = appOriginFor(verifier);
    if (!ruling.ok) {
      ctx.addIssue({ code: 'custom', path: [ruling.field], message: ruling.reason });
      return z.NEVER;
    }
    if (c.appOrigin !== undefined && c.appOrigin.replace(/\/$/, '') !== ruling.appOrigin) {
      ctx.addIssue({ code: 'custom', path: ['appOrigin'], message: `the app is served at the verifier's own origin (${ruling.appOrigin}), not ${c.appOrigin}` });
      return z.NEVER;
    }
    const problem = rpIdProblem(verifier.hostname, c.rpId);
    if (problem) {
      ctx.addIssue({ code: 'custom', path: ['rpId'], message: problem });
      return z.NEVER;
    }
    return { ...c, appOrigin: ruling.appOrigin, mode: ruling.mode };
  });
export type DesktopConfig = z.output<typeof desktopConfigSchema>;

export function parseDesktopConfig(text: string): { config: DesktopConfig } | { reason: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { reason: 'The config file is not valid JSON.' };
  }
  const parsed = desktopConfigSchema.safeParse(doc);
  if (!parsed.success) return { reason: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return { config: parsed.data };
}

/** Where the config in use came from: baked into this build, the command line, or an import. */
export type ConfigSource = 'built-in' | 'command-line' | 'imported';
export const CONFIG_FLAG = '--keylaunch-config=';

/**
 * The config to use. A build with a baked profile (`npm run dist -- --config <file>`) uses it and
 * nothing else: `--keylaunch-config` is refused, plainly. Otherwise the command line, else the
 * imported file, else none.
 */
export async function loadDesktopConfig(o: { argv: string[]; importedFile: string; bakedFile?: string }): Promise<{ config?: DesktopConfig; state: ConfigState; source: ConfigSource }> {
  const flag = o.argv.find((a) => a.startsWith(CONFIG_FLAG));
  const baked = o.bakedFile ? await readFile(o.bakedFile, 'utf8').catch(() => undefined) : undefined;
  if (baked !== undefined) {
    if (flag) return { state: { state: 'invalid', reason: 'This keylaunch build carries its organization’s config and does not accept --keylaunch-config. Start it without that flag.' }, source: 'built-in' };
    return { ...configState(parseDesktopConfig(baked)), source: 'built-in' };
  }
  const file = flag ? flag.slice(CONFIG_FLAG.length) : o.importedFile;
  const source: ConfigSource = flag ? 'command-line' : 'imported';
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return flag ? { state: { state: 'invalid', reason: `Cannot read ${file}.` }, source } : { state: { state: 'missing' }, source };
  }
  return { ...configState(parseDesktopConfig(text)), source };
}

/** Why importing a config is refused for a config from this source, or undefined when it is allowed. */
export function importRefusal(source: ConfigSource): { code: 'config_locked'; message: string } | undefined {
  if (source === 'built-in') return { code: 'config_locked', message: 'This keylaunch build carries its organization’s config; it does not import another.' };
  if (source === 'command-line') return { code: 'config_locked', message: 'keylaunch was started with --keylaunch-config, which would win over an import. Start it without that flag to import a config.' };
  return undefined;
}

export function configState(result: ReturnType<typeof parseDesktopConfig>): { config?: DesktopConfig; state: ConfigState } {
  if ('reason' in result) return { state: { state: 'invalid', reason: result.reason } };
  const { verifierUrl, appOrigin, rpId, userName, mode } = result.config;
  return { config: result.config, state: { state: 'ok', verifierUrl, appOrigin, rpId, userName, mode } };
}
