import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runCommand, STACK } from '../support/cliProcess';
import { LOCAL_TABLE, startLocalMode } from '../../backend/local/localMode';
import { startLocalDynamo } from '../../backend/local/localDynamo';
import { localAuditPublicKey } from '../../backend/adapters/signing/localHeadSigner';
import { DeleteCommand, QueryCommand } from '../../backend/adapters/dynamo/documentCommands';
import { SEAL_EVERY } from '../../backend/core/auditChain';

/**
 * `npm run verify -- audit` as a person runs it: a separate process over local mode's real data folder
 * (the chain written by local mode's own store and key file), or over an export and a public key.
 */
const verify = (args: string[], env: NodeJS.ProcessEnv) => runCommand('backend/cli/verify.ts', args, env);
const N = SEAL_EVERY + 6;

let env: NodeJS.ProcessEnv;
let dataDir: string;
let work: string;
let publicKeyFile: string;
let exportText: string;

beforeAll(async () => {
  env = cleanEnv();
  dataDir = env.KEYLAUNCH_DATA!;
  work = mkdtempSync(join(tmpdir(), 'kl-verify-audit-'));
  const settings = { sessionSecret: Buffer.alloc(32, 9).toString('base64'), verifierPort: 47_311, adminName: 'admin' };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'local.json'), JSON.stringify(settings));
  const local = await startLocalMode({ dataDir, settings, jobsFile: 'jobs/local.jobs.json', verifierPort: 0 });
  try {
    for (let i = 1; i <= N; i++) await local.store.appendAudit({ id: `aud_${String(i).padStart(4, '0')}`, at: Date.now() + i, action: 'unlock.verify', outcome: 'accepted', sourceIp: '127.0.0.1', userName: 'ada' });
  } finally {
    await local.close();
  }
  publicKeyFile = join(work, 'audit.pub.pem');
  writeFileSync(publicKeyFile, (await localAuditPublicKey(dataDir))!.export({ type: 'spki', format: 'pem' }));
  const exported = await verify(['export'], env);
  expect(exported.code, exported.stderr).toBe(0);
  exportText = exported.stdout;
}, 120_000);

afterAll(() => undefined);

describe('npm run verify -- audit', { timeout: 90_000 }, () => {
  test('an intact chain from the data folder verifies with the folder\'s key: exit 0, what is signed and what is not yet', async () => {
    const r = await verify(['audit'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Audit chain verified: ${N} entries, 2 head signatures\\.`));
    expect(r.stdout).toMatch(new RegExp(`signed up to:\\s+entry ${SEAL_EVERY}`));
    expect(r.stdout).toMatch(/unsigned yet:\s+6 entries after the last signed head/);
  });

  test('an export verifies with the public key given; an edited line is reported at its entry (exit 1, no stack)', async () => {
    const file = join(work, 'export.jsonl');
    writeFileSync(file, exportText);
    const ok = await verify(['audit', '--export', file, '--public-key', publicKeyFile], cleanEnv());
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`^Audit chain verified: ${N} entries`));

    const edited = exportText.split('\n').map((line) => (line.includes('"seq":12,') && line.startsWith('{"kind":"audit"') ? line.replace('"userName":"ada"', '"userName":"eve"') : line)).join('\n');
    writeFileSync(file, edited);
    const r = await verify(['audit', '--export', file, '--public-key', publicKeyFile], cleanEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Audit chain BROKEN at entry 12 \(edited\): entry 12 \(aud_0012\) was changed after it was written/);
    expect(r.stderr + r.stdout).not.toMatch(STACK);
  });

  test('signatures checked with another key are forged: exit 1 at the first signed head', async () => {
    const other = join(work, 'other.pub.pem');
    writeFileSync(other, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
    const r = await verify(['audit', '--public-key', other], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/BROKEN at entry 1 \(forged_signature\)/);
  });

  test('the command line: --export needs --public-key (exit 2); a folder with no data is setup to fix (exit 3)', async () => {
    const file = join(work, 'export2.jsonl');
    writeFileSync(file, exportText);
    expect((await verify(['audit', '--export', file], env)).code).toBe(2);
    expect((await verify(['receipt', 'x.json', '--public-key', publicKeyFile], env)).code).toBe(2);
    const empty = await verify(['audit'], cleanEnv());
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/No local mode data/);
  });

  test('an entry deleted from the data folder\'s table is reported as removed at its position (exit 1)', async () => {
    const dynamo = await startLocalDynamo({ path: join(dataDir, 'dynamo'), tableName: LOCAL_TABLE });
    try {
      const days = (await dynamo.documents.send(new QueryCommand({ TableName: LOCAL_TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'AUDITDAYS' } }))).Items!;
      const pk = `AUDIT#${days[0]!.sk}`;
      await dynamo.documents.send(new DeleteCommand({ TableName: LOCAL_TABLE, Key: { pk, sk: '000000000030' } }));
    } finally {
      await dynamo.close();
    }
    const r = await verify(['audit'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/BROKEN at entry 30 \(removed\): entry 30 is missing/);
  });
});
