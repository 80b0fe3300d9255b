import { getDomain } from 'tldts';
import * as z from 'zod';
import { createIpAllowlist } from '../core/network';
import { deployNotifySchema } from '../core/notifyConfig';

/**
 * What `npm run deploy` needs to know, from flags or a settings file (deploy.settings.json). Defaults are
 * the safe ones; what has no safe default (who may reach the verifier) must be given. The settings file
 * is input like any other: every field is checked, unknown fields are refused.
 *
 * The app's origin is not a setting: it is the verifier's own URL (the API's stage URL, or the custom
 * domain), so the desktop, the verifier and WebAuthn all agree on one origin. The rpId is that host too,
 * unless a custom domain names a parent domain instead (to keep keys enrolled under it).
 */
const cidr = z.string().superRefine((value, ctx) => {
  try {
    createIpAllowlist([value]);
  } catch {
    ctx.addIssue({ code: 'custom', message: `not a CIDR (e.g. 203.0.113.0/24): ${JSON.stringify(value).slice(0, 60)}` });
    return;
  }
  // Judged on the parsed prefix, not the spelling: the parser above admits only plain digits.
  if (value.split('/')[1] === '0') ctx.addIssue({ code: 'custom', message: `${value} admits every address: name your office or VPN ranges` });
});

/** The name registered under a public suffix (example.co.uk for a.example.co.uk); none for a suffix itself. */
const registrableDomain = (host: string) => getDomain(host, { allowPrivateDomains: true }) ?? undefined;

/** A DNS name we can serve at: lowercase labels, at least two of them, no trailing dot. */
const hostname = z
  .string()
  .max(253)
  .regex(/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/, 'a lowercase host name, e.g. keylaunch.example.com')
  .refine((h) => !/\.amazonaws\.com$|\.on\.aws$/.test(h), 'must be a domain you own, not an AWS one')
  .refine((h) => registrableDomain(h) !== undefined, 'is a public suffix, not a name you can own');

export const deploySettingsSchema = z
  .strictObject({
    stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/).default('keylaunch'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region, e.g. eu-west-1'),
    /**
     * Source addresses allowed to call the verifier at all (docs/security.md, property 9). The API's resource policy
     * denies every other source before Lambda runs; the verifier checks again. No default: say who.
     */
    allowedCidrs: z.array(cidr).min(1).max(50),
    /** `regional`: reachable from the internet, but only from allowedCidrs. `private`: only through one VPC endpoint. */
    endpoint: z.enum(['regional', 'private']).default('regional'),
    /** The interface VPC endpoint (execute-api) a private verifier is reached through. */
    vpcEndpointId: z.string().regex(/^vpce-[0-9a-f]{8,17}$/, 'a VPC endpoint id, vpce-…').optional(),
    /** Stage throttling: steady requests per second and the bucket size, for all callers together. */
    throttle: z
      .strictObject({
        rateLimit: z.number().positive().max(10_000),
        burstLimit: z.number().int().min(1).max(5_000),
      })
      .default({ rateLimit: 20, burstLimit: 40 }),
    /**
     * A stable origin across redeploys: the verifier at https://<domainName>/, with an ACM certificate
     * for that name in the same region. Point a DNS record at the output `CustomDomainTarget`.
     */
    customDomain: z
      .strictObject({
        domainName: hostname,
        certificateArn: z.string().regex(/^arn:aws(-cn|-us-gov)?:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, 'an ACM certificate ARN'),
      })
      .optional(),
    /** Settings from before the API Gateway edge: refused with the reason, not silently ignored. */
    appOrigin: z.never({ error: 'no longer a setting: the app is served at the verifier’s own origin (the API’s URL, or customDomain)' }).optional(),
    /**
     * Only with customDomain, and only to keep keys enrolled under a parent domain: the exact host is
     * better. Never a public suffix (hostname refuses those: browsers would).
     */
    rpId: hostname.optional(),
    ssmPrefix: z.string().regex(/^\/[A-Za-z0-9_.\-/]{1,200}$/).default('/keylaunch'),
    catalogFile: z.string().default('jobs/aws.yaml'),
    adminName: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/).default('admin'),
    desktopConfigFile: z.string().default('keylaunch-desktop-config.json'),
    logRetentionDays: z.union([z.literal(30), z.literal(90), z.literal(180), z.literal(365), z.literal(731)]).default(365),
    /** A cap on concurrent verifier invocations: whatever gets through cannot run up the bill. */
    reservedConcurrency: z.number().int().min(1).max(1000).default(10),
    memoryMb: z.number().int().min(256).max(4096).default(512),
    /**
     * Issue 16 §3 (docs/notifications.md): named destinations — an SNS topic (`"create"`, or a topic ARN in
     * this region) or a webhook URL — and those told of every event. Jobs may name these, never a URL.
     */
    notifications: deployNotifySchema.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.endpoint === 'private' && !s.vpcEndpointId) ctx.addIssue({ code: 'custom', path: ['vpcEndpointId'], message: 'a private endpoint needs the VPC endpoint it is reached through' });
    if (s.endpoint === 'regional' && s.vpcEndpointId) ctx.addIssue({ code: 'custom', path: ['vpcEndpointId'], message: 'only for endpoint "private"' });
    if (s.endpoint === 'private' && s.customDomain) ctx.addIssue({ code: 'custom', path: ['customDomain'], message: 'not offered for a private endpoint: use the API’s own URL' });
    if (s.customDomain && s.customDomain.certificateArn.split(':')[3] !== s.region) {
      ctx.addIssue({ code: 'custom', path: ['customDomain', 'certificateArn'], message: `a regional API needs its certificate in ${s.region}` });
    }
    if (s.rpId !== undefined) {
      const host = s.customDomain?.domainName;
      if (!host) ctx.addIssue({ code: 'custom', path: ['rpId'], message: 'only with customDomain: otherwise the rpId is the API’s own host' });
      else if (host !== s.rpId && !host.endsWith(`.${s.rpId}`)) ctx.addIssue({ code: 'custom', path: ['rpId'], message: `must be ${host} or a parent domain of it` });
    }
    for (const [name, d] of Object.entries(s.notifications?.destinations ?? {})) {
      if ('sns' in d && d.sns !== 'create' && d.sns.split(':')[3] !== s.region) ctx.addIssue({ code: 'custom', path: ['notifications', 'destinations', name, 'sns'], message: `the verifier publishes in ${s.region}: the topic must be there` });
    }
    if (s.throttle.burstLimit < Math.ceil(s.throttle.rateLimit)) {
      ctx.addIssue({ code: 'custom', path: ['throttle', 'burstLimit'], message: 'must be at least rateLimit (the bucket must hold one second of requests)' });
    }
  });
export type DeploySettings = z.output<typeof deploySettingsSchema>;

/** The stage the API serves: part of the verifier's URL unless a custom domain maps its root to it. */
export const STAGE_NAME = 'live';
