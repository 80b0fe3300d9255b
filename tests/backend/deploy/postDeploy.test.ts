import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { desktopConfigFor, postDeploy } from '../../../backend/deploy/postDeploy';
import { deploySettingsSchema } from '../../../backend/deploy/settings';
import { createDynamoStore } from '../../../backend/adapters/dynamo/dynamoStore';
import { startLocalDynamo } from '../../../backend/local/localDynamo';
import { inviteCodeHash } from '../../../backend/core/invites';
import { parseDesktopConfig } from '../../../electron/main/desktopConfig';
import { systemClock, systemRandom } from '../../../backend/createVerifier';

const STAGE_URL = 'https://abc123defg.execute-api.eu-west-1.amazonaws.com/live';

let dynamo: Awaited<ReturnType<typeof startLocalDynamo>>;
beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'kl-deploy' });
});
afterAll(() => dynamo.close());

describe('after deploying', () => {
  it('pushes the catalog, writes a desktop config the app accepts (at the API’s stage URL), and makes the first admin invite once', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'kl-post-'));
    const settings = deploySettingsSchema.parse({ region: 'eu-west-1', allowedCidrs: ['203.0.113.0/24'], desktopConfigFile: join(dir, 'desktop.json') });
    const store = createDynamoStore({ client: dynamo.documents, tableName: 'kl-deploy' });
    const catalogText = readFileSync('jobs/aws.example.yaml', 'utf8');
    const run = () => postDeploy({ settings, verifierUrl: STAGE_URL, catalogText, ssm: new SSMClient({}), store, clock: systemClock, random: systemRandom });

    const first = await run();
    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input.Name)).toContain('/keylaunch/jobs/render-batch/invoke');
    const desktop = parseDesktopConfig(readFileSync(settings.desktopConfigFile, 'utf8'));
    // The app is served at the verifier's own origin; the rpId is that exact host.
    expect(desktop).toMatchObject({ config: { verifierUrl: STAGE_URL, appOrigin: 'https://abc123defg.execute-api.eu-west-1.amazonaws.com', rpId: 'abc123defg.execute-api.eu-west-1.amazonaws.com', userName: 'admin', mode: 'remote' } });
    expect(first.invite?.code).toMatch(/^KL-/);
    expect((await store.getInvite(inviteCodeHash(first.invite!.code)))?.role).toBe('admin');

    // Once the admin has enrolled, a redeploy makes no new invite.
    await store.createUser({ id: 'u_admin', name: 'admin', role: 'admin', disabled: false, createdAt: Date.now() });
    expect((await run()).invite).toBeUndefined();
  });

  it('refuses to write a config the desktop would refuse (a verifier at a bare IP address)', async () => {
    mockClient(SSMClient).on(PutParameterCommand).resolves({ Version: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'kl-post-'));
    const settings = deploySettingsSchema.parse({ region: 'eu-west-1', allowedCidrs: ['203.0.113.0/24'], desktopConfigFile: join(dir, 'desktop.json') });
    const store = createDynamoStore({ client: dynamo.documents, tableName: 'kl-deploy' });
    const run = postDeploy({ settings, verifierUrl: 'https://198.51.100.7/live', catalogText: readFileSync('jobs/aws.example.yaml', 'utf8'), ssm: new SSMClient({}), store, clock: systemClock, random: systemRandom });
    await expect(run).rejects.toThrow(/The desktop would refuse this config/);
    expect(existsSync(settings.desktopConfigFile)).toBe(false);
  });
});

describe('the desktop config for a deployed verifier', () => {
  it('a custom domain: the verifier, the app origin and the rpId are that one name', () => {
    const config = desktopConfigFor('https://keylaunch.example.com', 'ada');
    expect(config).toEqual({ verifierUrl: 'https://keylaunch.example.com', rpId: 'keylaunch.example.com', userName: 'ada' });
    expect(parseDesktopConfig(JSON.stringify(config))).toMatchObject({ config: { mode: 'remote' } });
    expect(desktopConfigFor(`${STAGE_URL}/`, 'ada').verifierUrl).toBe(STAGE_URL);
    expect(desktopConfigFor('https://keylaunch.example.com', 'ada', 'example.com')).toMatchObject({ rpId: 'example.com' });
    expect(() => desktopConfigFor('https://keylaunch.example.com', 'ada', 'ample.com')).toThrow(/not keylaunch\.example\.com or a parent/);
  });

  it('refuses a VerifierUrl output that is not https://<host>[/<stage>] (the outputs file is input too)', () => {
    for (const bad of ['', 'not a url', 'http://abc.execute-api.eu-west-1.amazonaws.com/live', 'https://user:pw@host.example.com', 'https://host.example.com:8443', 'https://host.example.com/live?x=1', 'https://host.example.com/live#x', 'https://host.example.com/a/b', 'javascript:alert(1)']) {
      expect(() => desktopConfigFor(bad, 'ada'), bad).toThrow(/VerifierUrl/);
    }
  });
});
