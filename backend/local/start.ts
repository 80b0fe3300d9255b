import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInvite } from '../core/invites';
import { systemClock, systemRandom } from '../createVerifier';
import { dataDir, loadLocalSettings } from './localSettings';
import { defaultJobsFile, startLocalMode } from './localMode';

/**
 * `npm start`: local mode. Starts the verifier on 127.0.0.1 over dynalite (persisted in the data folder)
 * and the jobs file, shows the first admin invite until that admin has enrolled, and writes the desktop
 * config the app reads.
 */
const dir = dataDir();
const settings = await loadLocalSettings(dir);
const jobsFile = defaultJobsFile();
const local = await startLocalMode({ dataDir: dir, settings, jobsFile }).catch((e: NodeJS.ErrnoException) => {
  if (e.code === 'EADDRINUSE') {
    console.error(`Port ${settings.verifierPort} is in use (is keylaunch already running?). Set "verifierPort" in ${join(dir, 'local.json')} to use another.`);
    process.exit(1);
  }
  throw e;
});
const endpointFile = join(dir, 'dynamo.endpoint');
await writeFile(endpointFile, local.dynamoEndpoint + '\n');

// The app origin is not written: the desktop derives it from the verifier URL (http://localhost:<port>).
const desktopConfig = { verifierUrl: local.url, rpId: local.config.rpId, userName: settings.adminName };
await writeFile(join(dir, 'desktop-config.json'), JSON.stringify(desktopConfig, null, 2) + '\n');

console.log(`keylaunch verifier (local mode) on ${local.url}`);
console.log(`  data:   ${dir}`);
console.log(`  jobs:   ${jobsFile}`);
console.log(`  app:    ${local.config.origins[0]} (rpId ${desktopConfig.rpId})`);

if (!(await local.store.getUserByName(settings.adminName))) {
  const invite = await createInvite(
    { store: local.store, clock: systemClock, random: systemRandom },
    { userName: settings.adminName, role: 'admin', createdBy: 'local-first-start', ttlHours: local.config.inviteTtlHours },
  );
  console.log(`\nFirst start: enroll your key as "${invite.userName}" (admin) with this one-time invite code:\n\n    ${invite.code}\n`);
  console.log(`It expires ${new Date(invite.expiresAt).toISOString()}; a new one is shown at each start until "${invite.userName}" has enrolled.`);
}

if (existsSync('dist/electron/main.cjs')) {
  console.log('\nStarting the desktop app…');
  const { spawnDesktopApp } = await import('./desktopApp');
  spawnDesktopApp(join(dir, 'desktop-config.json'));
} else {
  console.log('\nThe desktop app is not built (npm run build); the verifier is ready for it.');
}
console.log('Press Ctrl+C to stop.');

const stop = async () => {
  await rm(endpointFile, { force: true });
  await local.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
