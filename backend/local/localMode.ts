import { join, resolve } from 'node:path';
import { createVerifier, systemClock, systemRandom, type Verifier } from '../createVerifier';
import { parseVerifierConfig, type VerifierConfig } from '../core/config';
import { createDynamoStore } from '../adapters/dynamo/dynamoStore';
import { localHeadSigner } from '../adapters/signing/localHeadSigner';
import { createFileCatalog } from '../adapters/catalog/fileCatalog';
import { createLocalLauncher } from '../adapters/launcher/localLauncher';
import { startLocalServer } from '../entry/localServer';
import { startLocalDynamo } from './localDynamo';
import { markLostRuns } from '../core/lostRuns';
import { localNotifier } from './localNotifier';
import type { LocalSettings } from './localSettings';
import type { Store } from '../core/ports';
import type { JobType } from '../core/job';

export const LOCAL_TABLE = 'keylaunch-local';
/** Local mode launches only local processes; AWS-type jobs are listed as needing AWS mode. */
export const LOCAL_JOB_TYPES: ReadonlySet<JobType> = new Set(['local']);
export const defaultJobsFile = () => resolve(process.env.KEYLAUNCH_JOBS_FILE ?? 'jobs/local.jobs.json');

/**
 * Local mode, assembled: dynalite persisted under the data folder, the jobs file, the local launcher,
 * and the verifier on 127.0.0.1. The app origin is http://localhost:<verifier port>: the desktop serves
 * itself at its verifier's origin (electron/main/appOrigin.ts), and localhost is where WebAuthn runs.
 */
export async function startLocalMode(o: { dataDir: string; settings: LocalSettings; jobsFile: string; verifierPort?: number }) {
  const port = o.verifierPort ?? o.settings.verifierPort;
  const dynamo = await startLocalDynamo({ path: join(o.dataDir, 'dynamo'), tableName: LOCAL_TABLE });
  // A start that fails after the database is open (the port is taken, a bad key file) closes it again:
  // an open dynalite keeps the process alive, and `npm start` would hang after printing its error.
  try {
    return await serveLocal(o, port, dynamo);
  } catch (error) {
    await dynamo.close().catch(() => undefined);
    throw error;
  }
}

async function serveLocal(o: { dataDir: string; settings: LocalSettings; jobsFile: string }, port: number, dynamo: Awaited<ReturnType<typeof startLocalDynamo>>) {
  const config: VerifierConfig = parseVerifierConfig({
    rpId: 'localhost',
    origins: [`http://localhost:${port}`],
    sessionSecret: o.settings.sessionSecret,
    allowedCidrs: ['127.0.0.1/32', '::1/128'],
  });
  const store: Store = createDynamoStore({ client: dynamo.documents, tableName: LOCAL_TABLE, signer: await localHeadSigner(o.dataDir) });
  // Before anything can launch: runs an earlier verifier left running have no one to finish them.
  const lost = await markLostRuns({ store, clock: systemClock });
  const verifier: Verifier = createVerifier({
    config,
    store,
    catalog: createFileCatalog(o.jobsFile, { launchable: LOCAL_JOB_TYPES }),
    launchers: { local: createLocalLauncher() },
    clock: systemClock,
    random: systemRandom,
    notifier: localNotifier(o.dataDir, o.settings),
  });
  const { server, url } = await startLocalServer({ verifier, port, maxBodyBytes: config.maxBodyBytes });
  return {
    url,
    config,
    lostRuns: lost,
    store,
    dynamoEndpoint: dynamo.endpoint,
    dynamoClient: dynamo.client,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await dynamo.close();
    },
  };
}
