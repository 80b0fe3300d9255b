import type { SSMClient } from '@aws-sdk/client-ssm';
import { writeFile } from 'node:fs/promises';
import { createInvite, type CreatedInvite } from '../core/invites';
import type { Clock, Random, Store } from '../core/ports';
import { pushJobs } from '../cli/jobCatalogAdmin';
import type { DeploySettings } from './settings';
import { parseDesktopConfig } from '../../electron/main/desktopConfig';

/**
 * The desktop config for the deployed verifier: the app is served at the verifier's own origin and the
 * rpId is that exact host (or the parent domain the settings name, with a custom domain), so one name is
 * the verifier, the app and the WebAuthn relying party. The URL
 * comes from the stack's outputs (a file on disk, written from an AWS answer): checked, not trusted.
 */
export function desktopConfigFor(verifierUrl: string, userName: string, rpId?: string) {
  let url: URL;
  try {
    url = new URL(verifierUrl);
  } catch {
    throw new Error(`The stack's VerifierUrl is not a URL: ${JSON.stringify(verifierUrl).slice(0, 100)}`);
  }
  const path = url.pathname.replace(/\/$/, '');
  if (url.protocol !== 'https:' || url.username || url.password || url.port || url.search || url.hash || !/^(\/[A-Za-z0-9_-]+)?$/.test(path)) {
    throw new Error(`The stack's VerifierUrl is not https://<host>[/<stage>]: ${JSON.stringify(verifierUrl).slice(0, 100)}`);
  }
  if (rpId !== undefined && url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`)) throw new Error(`The rpId ${rpId} is not ${url.hostname} or a parent domain of it.`);
  // No appOrigin: the desktop serves itself at the verifier's own origin, always.
  return { verifierUrl: `${url.origin}${path}`, rpId: rpId ?? url.hostname, userName };
}

/**
 * What `npm run deploy` does once the stack is up: push the job catalog, write the desktop config file,
 * and make the first admin's invite (only while that admin has not enrolled), shown once.
 */
export async function postDeploy(o: {
  settings: DeploySettings;
  verifierUrl: string;
  catalogText: string;
  ssm: SSMClient;
  store: Store;
  clock: Clock;
  random: Random;
}): Promise<{ lines: string[]; invite?: CreatedInvite }> {
  const pushed = await pushJobs({ client: o.ssm, prefix: o.settings.ssmPrefix, text: o.catalogText });
  if (!pushed.ok) throw new Error(`The job catalog was not pushed:\n${pushed.lines.join('\n')}`);
  // The file is checked with the desktop's own rule, so deploy never writes a config the app would refuse.
  const desktopConfig = desktopConfigFor(o.verifierUrl, o.settings.adminName, o.settings.rpId);
  const accepted = parseDesktopConfig(JSON.stringify(desktopConfig));
  if ('reason' in accepted) throw new Error(`The desktop would refuse this config (${accepted.reason}).`);
  await writeFile(o.settings.desktopConfigFile, JSON.stringify(desktopConfig, null, 2) + '\n');
  const lines = [...pushed.lines, `Desktop config written to ${o.settings.desktopConfigFile} (for ${o.settings.adminName}; give others a copy with their own userName).`];
  if (await o.store.getUserByName(o.settings.adminName)) return { lines };
  const invite = await createInvite({ store: o.store, clock: o.clock, random: o.random }, { userName: o.settings.adminName, role: 'admin', createdBy: 'deploy', ttlHours: 24 });
  return { lines, invite };
}
