import type { SSMClient } from '@aws-sdk/client-ssm';
import { writeFile } from 'node:fs/promises';
import { createInvite, type CreatedInvite } from '../core/invites';
import type { Clock, Random, Store } from '../core/ports';
import { pushJobs } from '../cli/jobCatalogAdmin';
import type { DeploySettings } from './settings';
import { parseDesktopConfig } from '../../electron/main/desktopConfig';

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
  // No appOrigin: the desktop serves itself at the verifier's own origin. The file is checked with the
  // desktop's own rule, so deploy never writes a config the app would refuse.
  const desktopConfig = { verifierUrl: o.verifierUrl, rpId: o.settings.rpId, userName: o.settings.adminName };
  const accepted = parseDesktopConfig(JSON.stringify(desktopConfig));
  if ('reason' in accepted) throw new Error(`The desktop would refuse this config (${accepted.reason}). Set rpId to the verifier's host (${new URL(o.verifierUrl).hostname}).`);
  await writeFile(o.settings.desktopConfigFile, JSON.stringify(desktopConfig, null, 2) + '\n');
  const lines = [...pushed.lines, `Desktop config written to ${o.settings.desktopConfigFile} (for ${o.settings.adminName}; give others a copy with their own userName).`];
  if (await o.store.getUserByName(o.settings.adminName)) return { lines };
  const invite = await createInvite({ store: o.store, clock: o.clock, random: o.random }, { userName: o.settings.adminName, role: 'admin', createdBy: 'deploy', ttlHours: 24 });
  return { lines, invite };
}
