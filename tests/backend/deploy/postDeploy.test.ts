import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { postDeploy } from '../../../backend/deploy/postDeploy';
import { deploySettingsSchema } from '../../../backend/deploy/settings';
import { createDynamoStore } from '../../../backend/adapters/dynamo/dynamoStore';
import { startLocalDynamo } from '../../../backend/local/localDynamo';
import { inviteCodeHash } from '../../../backend/core/invites';
import { parseDesktopConfig } from '../../../electron/main/desktopConfig';
import { systemClock, systemRandom } from '../../../backend/createVerifier';

let dynamo: Awaited<ReturnType<typeof startLocalDynamo>>;
beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'kl-deploy' });
});
afterAll(() => dynamo.close());

describe('after deploying', () => {
  it('pushes the catalog, writes a desktop config the app accepts, and makes the first admin invite once', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'kl-post-'));
    const settings = deploySettingsSchema.parse({ region: 'eu-west-1', allowedCidrs: ['203.0.113.0/24'], appOrigin: 'https://abc.execute-api.eu-west-1.amazonaws.com', rpId: 'abc.execute-api.eu-west-1.amazonaws.com', desktopConfigFile: join(dir, 'desktop.json') });
    const store = createDynamoStore({ client: dynamo.documents, tableName: 'kl-deploy' });
    const catalogText = readFileSync('jobs/aws.example.yaml', 'utf8');
    const run = () => postDeploy({ settings, verifierUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod', catalogText, ssm: new SSMClient({}), store, clock: systemClock, random: systemRandom });

    const first = await run();
    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input.Name)).toContain('/keylaunch/jobs/render-batch/invoke');
    const desktop = parseDesktopConfig(readFileSync(settings.desktopConfigFile, 'utf8'));
    expect(desktop).toMatchObject({ config: { verifierUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod', appOrigin: 'https://abc.execute-api.eu-west-1.amazonaws.com', rpId: 'abc.execute-api.eu-west-1.amazonaws.com', userName: 'admin', mode: 'remote' } });
    expect(first.invite?.code).toMatch(/^KL-/);
    expect((await store.getInvite(inviteCodeHash(first.invite!.code)))?.role).toBe('admin');

    // Once the admin has enrolled, a redeploy makes no new invite.
    await store.createUser({ id: 'u_admin', name: 'admin', role: 'admin', disabled: false, createdAt: Date.now() });
    expect((await run()).invite).toBeUndefined();
  });

  it('refuses to write a config the desktop would refuse (an rpId that is a public suffix)', async () => {
    mockClient(SSMClient).on(PutParameterCommand).resolves({ Version: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'kl-post-'));
    const settings = deploySettingsSchema.parse({ region: 'eu-west-1', allowedCidrs: ['203.0.113.0/24'], appOrigin: 'https://abc.execute-api.eu-west-1.amazonaws.com', rpId: 'amazonaws.com', desktopConfigFile: join(dir, 'desktop.json') });
    const store = createDynamoStore({ client: dynamo.documents, tableName: 'kl-deploy' });
    const run = postDeploy({ settings, verifierUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod', catalogText: readFileSync('jobs/aws.example.yaml', 'utf8'), ssm: new SSMClient({}), store, clock: systemClock, random: systemRandom });
    await expect(run).rejects.toThrow(/amazonaws\.com is a public suffix/);
  });
});
