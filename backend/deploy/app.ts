import { App } from 'aws-cdk-lib';
import { readFile } from 'node:fs/promises';
import { buildLambda } from '../../build/buildLambda';
import { KeylaunchStack } from './stack';
import { deploySettingsSchema } from './settings';
import { loadCatalog } from './loadCatalog';

/**
 * The CDK app (cdk.json runs it): settings from KEYLAUNCH_DEPLOY_SETTINGS, written by `npm run deploy`.
 * KEYLAUNCH_LAMBDA_OUTDIR moves the bundle (tests synthesize the app without touching dist/lambda).
 */
const settings = deploySettingsSchema.parse(JSON.parse(await readFile(process.env.KEYLAUNCH_DEPLOY_SETTINGS ?? 'deploy.settings.json', 'utf8')));
const jobs = await loadCatalog(settings.catalogFile);
const app = new App();
new KeylaunchStack(app, settings.stackName, { env: { region: settings.region, account: process.env.CDK_DEFAULT_ACCOUNT }, settings, jobs, lambdaAssetDir: await buildLambda(process.env.KEYLAUNCH_LAMBDA_OUTDIR ?? 'dist/lambda') });
app.synth();
