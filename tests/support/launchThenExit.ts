import { createLocalLauncher } from '../../backend/adapters/launcher/localLauncher';
import { jobDefinitionSchema } from '../../backend/core/job';

/**
 * A verifier process in miniature for localLauncherLifecycle.test.ts: starts a local job that ignores
 * nothing and sleeps, prints its pid, and exits as `npm start` does on Ctrl+C (process.exit).
 */
const job = jobDefinitionSchema.parse({ name: 'j', title: 'J', type: 'local', allow: { roles: ['admin'] }, target: { argv: [process.execPath, '-e', 'setInterval(() => {}, 1000)'], timeoutSeconds: 600 } });
const started = await createLocalLauncher().launch({ runId: 'run_exit', job, params: {}, secrets: {}, requestedBy: 'test', configVersions: {} });
console.log(String(started.details.pid));
process.exit(0);
