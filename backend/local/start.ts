import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileCatalog } from '../adapters/catalog/fileCatalog';
import { createAdminDirectory } from '../adapters/dynamo/adminDirectory';
import { createInvite } from '../core/invites';
import { systemClock, systemRandom } from '../createVerifier';
import { CliError, parseCommandLine, runCli, usageError, type Cli } from '../cli/runCli';
import { localDynamoClient } from './localDynamo';
import { dataDir, loadLocalSettings } from './localSettings';
import { NOTIFY_SECRET_FILE } from './localNotifier';
import { defaultJobsFile, LOCAL_JOB_TYPES, LOCAL_TABLE, startLocalMode } from './localMode';
import { describeJobs, watchJobsFile } from './jobsReport';

const cli: Cli = {
  command: 'npm start --',
  usage: `Usage: npm start [-- --no-app]

  Local mode, no AWS needed: builds the desktop app, starts the verifier on 127.0.0.1 over a local
  DynamoDB (dynalite) kept in the data folder, reads the jobs file (and watches it), and opens the app.
  --no-app starts the verifier only.

  KEYLAUNCH_DATA       the data folder (default .keylaunch/): local.json (ports, admin name), the database
  KEYLAUNCH_JOBS_FILE  the jobs file (default jobs/local.jobs.json)
  KEYLAUNCH_DEBUG=1    stack traces with errors

Exit codes: 0 stopped, 2 bad command line, 3 setup to fix (invalid local.json, keylaunch already running,
a port in use), 70 a bug (rerun with KEYLAUNCH_DEBUG=1 and report it).`,
};

const FIRST_START = 'local-first-start';

/** A running `npm start` leaves its dynalite's address in the data folder; is it still answering? */
async function runningVerifier(endpointFile: string): Promise<string | undefined> {
  const endpoint = (await readFile(endpointFile, 'utf8').catch(() => '')).trim();
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(endpoint)) return undefined;
  const client = localDynamoClient(endpoint);
  const alive = await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE })).then(() => true, () => false);
  client.destroy();
  return alive ? endpoint : undefined;
}

async function main(argv: string[]): Promise<'keep-running'> {
  const { values, positionals } = parseCommandLine(cli, argv, { 'no-app': { type: 'boolean' } });
  if (positionals.length) throw usageError(cli, `Unexpected argument "${positionals[0]}"`);

  const dir = dataDir();
  const { settings } = await loadLocalSettings(dir);
  const settingsFile = join(dir, 'local.json');
  const endpointFile = join(dir, 'dynamo.endpoint');
  const alreadyRunning = `keylaunch is already running with the data folder ${dir}`;
  const stopIt = 'Stop it first (Ctrl+C in its terminal), or use another data folder: KEYLAUNCH_DATA=<folder> npm start.';
  if (await runningVerifier(endpointFile)) throw new CliError('setup', alreadyRunning, stopIt);

  const jobsFile = defaultJobsFile();
  const local = await startLocalMode({ dataDir: dir, settings, jobsFile }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE')
      throw new CliError('setup', `Port ${settings.verifierPort} is in use (is keylaunch already running?)`, `Stop what uses it, or set "verifierPort" in ${settingsFile}.`, { cause: e });
    // The database folder is locked by another process (a start that has not written its endpoint yet).
    if (/lock|closed/i.test(e.message)) throw new CliError('setup', alreadyRunning, stopIt, { cause: e });
    throw e;
  });
  await writeFile(endpointFile, local.dynamoEndpoint + '\n');

  // The app origin is not written: the desktop derives it from the verifier URL (http://localhost:<port>).
  const desktopConfig = { verifierUrl: local.url, rpId: local.config.rpId, userName: settings.adminName };
  await writeFile(join(dir, 'desktop-config.json'), JSON.stringify(desktopConfig, null, 2) + '\n');

  const catalog = createFileCatalog(jobsFile, { launchable: LOCAL_JOB_TYPES });
  console.log(`keylaunch verifier (local mode) on ${local.url}`);
  console.log(`  data:   ${dir}`);
  console.log(`  app:    ${local.config.origins[0]} (rpId ${desktopConfig.rpId})`);
  console.log(`  jobs:   ${jobsFile} (watched: edits apply without a restart)`);
  const hooks = Object.keys(settings.notifications?.destinations ?? {});
  if (hooks.length) console.log(`  notify: ${hooks.join(', ')} (signed with ${join(dir, NOTIFY_SECRET_FILE)}; docs/notifications.md)`);
  for (const line of describeJobs(await catalog.listJobs(), hooks)) console.log(line);
  if (local.lostRuns.length > 0) {
    console.log(`  ${local.lostRuns.length} run(s) were still running when keylaunch last stopped; they are marked lost (outcome unknown): ${local.lostRuns.map((r) => `${r.job} ${r.id}`).join(', ')}`);
  }
  const watcher = watchJobsFile({ file: jobsFile, catalog, say: (line) => console.log(line), destinations: hooks });

  if (!(await local.store.getUserByName(settings.adminName))) {
    const now = systemClock.now();
    // One live first-admin invite at a time: a new one cancels the ones printed at earlier starts.
    const directory = createAdminDirectory({ client: local.dynamoClient, tableName: LOCAL_TABLE });
    const firstStart = !(await directory.listInvitesFor(settings.adminName)).some((i) => i.createdBy === FIRST_START);
    const canceled = await directory.cancelInvites(settings.adminName, now, { createdBy: FIRST_START });
    const invite = await createInvite(
      { store: local.store, clock: systemClock, random: systemRandom },
      { userName: settings.adminName, role: 'admin', createdBy: FIRST_START, ttlHours: local.config.inviteTtlHours },
    );
    const heading = firstStart
      ? `First start: enroll your key as "${invite.userName}" (admin) with this one-time invite code:`
      : `"${invite.userName}" (admin) has not enrolled yet. A new one-time invite code${canceled ? ' (the earlier one no longer works)' : ''}:`;
    console.log(`\n${heading}\n\n    ${invite.code}\n`);
    console.log(`It expires ${new Date(invite.expiresAt).toISOString()}. Each start makes a new one until "${invite.userName}" has enrolled.`);
  }

  if (values['no-app']) {
    console.log('\nThe desktop app is not started (--no-app).');
  } else if (existsSync('dist/electron/main.cjs')) {
    console.log('\nStarting the desktop app…');
    const { spawnDesktopApp } = await import('./desktopApp');
    void spawnDesktopApp(join(dir, 'desktop-config.json'), (line) => console.log(line));
  } else {
    console.log('\nThe desktop app is not built (npm run build); the verifier is ready for it.');
  }
  console.log('Press Ctrl+C to stop.');

  const stop = async () => {
    watcher?.close();
    await rm(endpointFile, { force: true });
    await local.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return 'keep-running';
}

await runCli(cli, main);
