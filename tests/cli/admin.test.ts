import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { cleanEnv, runCommand, STACK } from '../support/cliProcess';
import { startLocalDynamo } from '../../backend/local/localDynamo';
import { LOCAL_TABLE } from '../../backend/local/localMode';
import { createDynamoStore } from '../../backend/adapters/dynamo/dynamoStore';
import { describeAdminAction } from '../../backend/core/adminActions';

const admin = (args: string[], env = cleanEnv()) => runCommand('backend/cli/admin.ts', args, env);

describe.concurrent('npm run admin: failure paths as a person meets them', () => {
  test.each([
    { args: ['--bogus'], code: 2, says: /^error: Unknown option '--bogus'\. Run `npm run admin -- --help` for usage\.$/ },
    { args: ['invite', 'alice', '--ttl-hours', '-5'], code: 2, says: /--ttl-hours needs a value; for one that starts with "-", write --ttl-hours=<value>/ },
    { args: ['invite', 'alice', '--ttl-hours=-5'], code: 2, says: /--ttl-hours must be a number of hours from 0\.0167 \(1 minute\) to 336 \(14 days\), not "-5"/ },
    { args: ['invite', 'alice', '--ttl-hours=0.0003'], code: 2, says: /from 0\.0167 \(1 minute\)/ },
    { args: ['invite', 'alice', '--role', 'root'], code: 2, says: /--role must be admin or operator, not "root"/ },
    { args: ['invite', 'Alice Smith'], code: 2, says: /"Alice Smith" is not a user name/ },
    { args: ['frobnicate'], code: 2, says: /Unknown command "frobnicate"/ },
    { args: [], code: 2, says: /Missing a command/ },
    { args: ['disable'], code: 2, says: /disable needs a user name/ },
  ])('$args → exit $code', async ({ args, code, says }) => {
    const r = await admin(args);
    expect(r.code).toBe(code);
    expect(r.stderr.trim()).toMatch(says);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test('KEYLAUNCH_TABLE without a region: a setup error naming AWS_REGION, no stack', async () => {
    const r = await admin(['list'], cleanEnv({ KEYLAUNCH_TABLE: 'keylaunch-table' }));
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(/^error: No AWS region is set\. Set AWS_REGION .*`aws configure`/);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test('KEYLAUNCH_TABLE with a region and no credentials: a hint about AWS_PROFILE and aws configure', async () => {
    const r = await admin(['list'], cleanEnv({ KEYLAUNCH_TABLE: 'keylaunch-table', AWS_REGION: 'eu-west-1' }));
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(/^error: No AWS credentials were found\. Set AWS_PROFILE .*`aws configure`/);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test('with KEYLAUNCH_DEBUG=1 the same error carries its stack (so the check above can fail)', async () => {
    const r = await admin(['list'], cleanEnv({ KEYLAUNCH_TABLE: 'keylaunch-table', KEYLAUNCH_DEBUG: '1' }));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(STACK);
  });

  test('--help prints the commands and exit codes, exit 0', async () => {
    const r = await admin(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['invite <user>', 'invites', 'cancel-invite <user>', 'list', 'disable <user>', 'Exit codes']) expect(r.stdout).toContain(word);
  });
});

describe('npm run admin: invites and people in local mode', () => {
  test('invite, then disable says the person has not enrolled and how to cancel; invites lists it; cancel-invite ends it', async () => {
    const env = cleanEnv();
    const invited = await admin(['invite', 'alice', '--ttl-hours=0.5'], env);
    expect(invited.code).toBe(0);
    expect(invited.stdout).toMatch(/KL-[0-9A-Z]{4}-/);

    const disabled = await admin(['disable', 'alice'], env);
    expect(disabled.code).toBe(1);
    expect(disabled.stderr.trim()).toMatch(/^error: alice has not enrolled yet \(their invite is pending until .*\)\. To stop it, run `npm run admin -- cancel-invite alice`\.$/);

    const pending = await admin(['invites'], env);
    expect(pending.stdout).toMatch(/^alice\s+operator\s+expires /m);
    const people = await admin(['list'], env);
    expect(people.stdout).toMatch(/Nobody has enrolled yet/);

    expect((await admin(['cancel-invite', 'alice'], env)).stdout).toMatch(/Canceled 1 pending invite for alice/);
    expect((await admin(['invites'], env)).stdout).toMatch(/No pending invites/);
    const again = await admin(['cancel-invite', 'alice'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/alice has no pending invite/);
    const nobody = await admin(['disable', 'bob'], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr.trim()).toMatch(/^error: No user bob in local mode .*`npm run admin -- list` shows the people\.$/);
  });
});

describe('npm run admin: every change is audited like the app’s admin actions, by cli:<OS user>', () => {
  test('invite with groups, set-groups, cancel-invite and a refused disable each write an admin.cli entry', { timeout: 180_000 }, async () => {
    const env = cleanEnv({ USER: 'breakglass' });
    const invited = await admin(['invite', 'carol', '--groups', 'sre,db', '--ttl-hours=1'], env);
    expect(invited.code).toBe(0);
    expect(invited.stdout).toMatch(/Invite for carol \(operator; groups: db, sre\)/);
    expect((await admin(['invite', 'dave', '--groups', 'Bad Name'], env)).code).toBe(2);
    expect((await admin(['set-groups', 'carol'], env)).stderr).toMatch(/set-groups needs --groups/);
    expect((await admin(['set-groups', 'nobody', '--groups', 'sre'], env)).code).toBe(1);
    expect((await admin(['cancel-invite', 'carol'], env)).code).toBe(0);

    const dynamo = await startLocalDynamo({ path: join(env.KEYLAUNCH_DATA!, 'dynamo'), tableName: LOCAL_TABLE });
    try {
      const store = createDynamoStore({ client: dynamo.documents, tableName: LOCAL_TABLE });
      const entries = (await store.listAudit({ limit: 20 })).items.reverse();
      expect(entries.map((e) => [e.action, e.outcome, e.userName, e.detail, e.code])).toEqual([
        ['admin.cli', 'accepted', 'cli:breakglass', 'invite carol as operator; groups: db, sre; valid 1 h', undefined],
        ['admin.cli', 'refused', 'cli:breakglass', 'set groups of nobody (?) to sre', 'not_found'],
        ['admin.cli', 'accepted', 'cli:breakglass', 'cancel invite of carol', undefined],
      ]);
      // The same words the app's admin.verify entries use for the same action.
      expect(entries[0]!.detail).toBe(describeAdminAction({ kind: 'invite', userName: 'carol', role: 'operator', groups: ['db', 'sre'], ttlHours: 1 }).line);
      const { invites } = await store.readDirectory();
      expect(invites.find((i) => i.userName === 'carol')).toMatchObject({ groups: ['db', 'sre'], createdBy: 'cli:breakglass' });
    } finally {
      await dynamo.close();
    }
  });
});
