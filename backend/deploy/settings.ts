import * as z from 'zod';

/**
 * What `npm run deploy` needs to know, from flags or a settings file (deploy.settings.json). Defaults are
 * the safe ones; what has no safe default (who may reach the verifier, which origin the app runs at) must
 * be given.
 */
export const deploySettingsSchema = z.strictObject({
  stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/).default('keylaunch'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region, e.g. eu-west-1'),
  /** Source addresses allowed to call the verifier at all (protocol.md §9). No default: say who. */
  allowedCidrs: z.array(z.string()).min(1),
  /** The origin the desktop app serves itself at: https://<host> under a domain you control. */
  appOrigin: z.url().refine((u) => u.startsWith('https://') && new URL(u).origin === u.replace(/\/$/, ''), 'https://<host>, an origin only'),
  /** The WebAuthn rpId: the app host or a parent domain of it. */
  rpId: z.string().min(1).max(253),
  ssmPrefix: z.string().regex(/^\/[A-Za-z0-9_.\-/]{1,200}$/).default('/keylaunch'),
  catalogFile: z.string().default('jobs/aws.yaml'),
  adminName: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/).default('admin'),
  desktopConfigFile: z.string().default('keylaunch-desktop-config.json'),
  logRetentionDays: z.union([z.literal(30), z.literal(90), z.literal(180), z.literal(365), z.literal(731)]).default(365),
  /** A cap on concurrent verifier invocations: an open URL cannot run up the bill. */
  reservedConcurrency: z.number().int().min(1).max(1000).default(10),
  memoryMb: z.number().int().min(256).max(4096).default(512),
}).superRefine((s, ctx) => {
  const host = new URL(s.appOrigin).hostname;
  if (host !== s.rpId && !host.endsWith(`.${s.rpId}`)) ctx.addIssue({ code: 'custom', path: ['rpId'], message: 'must be the app host or a parent domain of it' });
});
export type DeploySettings = z.output<typeof deploySettingsSchema>;
