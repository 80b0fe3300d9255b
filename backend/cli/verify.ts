import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createAdminDirectory } from '../adapters/dynamo/adminDirectory';
import { createDynamoStore } from '../adapters/dynamo/dynamoStore';
import { documentClient } from '../adapters/dynamo/table';
import { loadLocalSettings, dataDir } from '../local/localSettings';
import { ExportProblem, readKeysExport, recordsFromKeys, recordsFromStore, trustedKey, type VerifierIdentity } from '../receipt/trustedRecords';
import { verifyReceipt, type VerifiedReceipt } from '../receipt/verifyReceipt';
import { AuditExportProblem, describeReport, readAuditExport, readPublicKey, verifyAudit } from '../receipt/verifyAudit';
import { LOCAL_AUDIT_KEY_FILE, localAuditPublicKey } from '../adapters/signing/localHeadSigner';
import type { KeyObject } from 'node:crypto';
import type { AuditEntry, Run } from '../core/model';
import type { Page } from '../core/ports';
import { openTable } from './openTable';
import { CliError, parseCommandLine, runCli, usageError, type Cli } from './runCli';

const cli: Cli = {
  command: 'npm run verify --',
  usage: `Usage: npm run verify -- <command> [options]

Commands:
  receipt <run.json>      re-verifies a run's approval offline: <run.json> is the run exactly as
                          GET /v1/runs/{id} answers it. Prints what was approved, by whom and when,
                          or exactly why it does not verify (exit 1)
  export [--since <date>] writes the verifier's records as JSON Lines on stdout: its rpId and origins,
                          every key (revoked ones included), and the runs and audit entries since
                          <date> (ISO 8601, e.g. 2026-11-01 or 2026-11-01T12:00:00Z; default: all),
                          the audit log's head signatures and its head. The output is also a --keys file
  audit [--export <file>] walks the audit log's hash chain and its signed heads (from the table, or an
                          export made without --since) and prints the first break: an entry removed,
                          reordered, edited or inserted, a forged or missing head signature (exit 1).
                          Entries after the last signed head are counted as unsigned yet

Options:
  --keys <file>           trust keys (and the rpId and origins) from an export instead of the table
  --rp-id <id>            this verifier's rpId; needed with KEYLAUNCH_TABLE, or an export without one
  --origin <origin>       this verifier's app origin (repeat for several); needed with --rp-id
  --public-key <file>     audit: the head-signing key's public key (PEM, or the DER of
                          \`aws kms get-public-key --key-id <AuditKeyId> --query PublicKey --output text\`,
                          base64 or raw); needed with KEYLAUNCH_TABLE or --export. Local mode reads
                          its key file (audit-signing-key.pem in the data folder)

Where keys are trusted from: never from the file or table being checked. By default local mode's data folder
(KEYLAUNCH_DATA or .keylaunch/, also while \`npm start\` runs); with KEYLAUNCH_TABLE=<table>, the
DynamoDB table of a deployed verifier, with your AWS credentials (AWS_PROFILE, AWS_REGION); or --keys.

Exit codes: 0 verified (or exported), 1 does not verify (or the file is not a run), 2 bad command
line, 3 setup to fix (data folder, AWS region or credentials, the --keys file), 70 a bug (rerun with
KEYLAUNCH_DEBUG=1 and report it).`,
};

/** A run item is at most 400 KB in DynamoDB; a bigger file is not a run. */
const MAX_RUN_FILE_BYTES = 1024 * 1024;
const MAX_KEYS_FILE_BYTES = 64 * 1024 * 1024;

const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function readBounded(path: string, max: number, what: string, kind: 'failed' | 'setup'): Promise<string> {
  const info = await stat(path);
  if (!info.isFile()) throw new CliError(kind, `${path} is not a file`);
  if (info.size > max) throw new CliError(kind, `${path} is ${info.size} bytes, more than ${what} can be (${max})`);
  return readFile(path, 'utf8');
}

function identityFromFlags(values: { 'rp-id'?: string; origin?: string[] }): VerifierIdentity | undefined {
  const rpId = values['rp-id'];
  const origins = values.origin ?? [];
  if (rpId === undefined && origins.length === 0) return undefined;
  if (rpId === undefined || origins.length === 0) throw usageError(cli, '--rp-id and --origin go together');
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || url.origin !== origin) throw usageError(cli, `--origin must be an origin like https://keylaunch.example.com, not "${origin}"`);
  }
  return { rpId, origins };
}

/** Local mode's identity, as backend/local/localMode.ts configures its verifier: rpId localhost, origin http://localhost:<port>. */
async function localIdentity(): Promise<VerifierIdentity> {
  const dir = dataDir();
  if (!existsSync(join(dir, 'local.json'))) {
    throw new CliError('setup', `No local mode data in ${dir} (no local.json)`, 'Set KEYLAUNCH_DATA to the data folder, KEYLAUNCH_TABLE to a deployed table, or pass --keys <export>.');
  }
  const { settings } = await loadLocalSettings(dir);
  return { rpId: 'localhost', origins: [`http://localhost:${settings.verifierPort}`] };
}

/** The verifier's own table (local mode's or KEYLAUNCH_TABLE), with its identity. */
async function openRecords(flags: VerifierIdentity | undefined) {
  if (process.env.KEYLAUNCH_TABLE && !flags) {
    throw usageError(cli, 'With KEYLAUNCH_TABLE, pass --rp-id and --origin (the deployed verifier\'s, from its desktop config)');
  }
  const identity = flags ?? (await localIdentity());
  const table = await openTable();
  const store = createDynamoStore({ client: documentClient(table.client), tableName: table.tableName });
  return { table, store, identity };
}

async function receipt(file: string, values: { keys?: string; 'rp-id'?: string; origin?: string[] }): Promise<number> {
  const flags = identityFromFlags(values);
  const text = await readBounded(file, MAX_RUN_FILE_BYTES, 'a run', 'failed');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError('failed', `${file} is not JSON (${(e as Error).message.split('\n')[0]})`, 'Save the answer of GET /v1/runs/{id} as it is.');
  }
  let verdict;
  if (values.keys !== undefined) {
    let exported;
    try {
      exported = readKeysExport(await readBounded(values.keys, MAX_KEYS_FILE_BYTES, 'an export', 'setup'));
    } catch (e) {
      if (e instanceof ExportProblem) throw new CliError('setup', `${values.keys}: ${e.message}`, 'Make it with `npm run verify -- export`.');
      throw e;
    }
    const identity = flags ?? exported.verifier;
    if (!identity) throw new CliError('setup', `${values.keys} does not say the verifier's rpId and origins`, 'Pass --rp-id and --origin.');
    verdict = await verifyReceipt(json, recordsFromKeys(exported.keys, identity));
  } else {
    const { table, store, identity } = await openRecords(flags);
    try {
      verdict = await verifyReceipt(json, recordsFromStore(store, identity));
    } finally {
      await table.close();
    }
  }
  if (!verdict.ok) throw new CliError('failed', `${verdict.runId ? `Run ${verdict.runId}` : file} does not verify: ${verdict.reason.replace(/\.$/, '')} (${verdict.problem})`);
  console.log(describeVerified(verdict));
  return 0;
}

function describeVerified(v: VerifiedReceipt): string {
  const params = Object.entries(v.approved.params).map(([k, value]) => `${k}=${JSON.stringify(value)}`);
  const secrets = v.approved.secretParams.map((n) => `${n}=[secret]`);
  const key = v.by.revokedAt !== undefined ? `revoked since ${when(v.by.revokedAt)}` : v.by.suspendedAt !== undefined ? `suspended since ${when(v.by.suspendedAt)}` : 'active';
  return [
    `Verified: run ${v.runId} was approved by ${v.by.userName} with key "${v.by.label}" (${v.by.credentialId}).`,
    `  job:          ${v.approved.job}`,
    `  params:       ${[...params, ...secrets].join(' ') || '(none)'}`,
    `  versions:     ${Object.entries(v.approved.configVersions).map(([k, value]) => `${k}=${value}`).join(' ') || '(none)'}`,
    `  fingerprint:  ${v.approved.fingerprint} (intent hash ${v.approved.intentHash})`,
    `  signed:       before ${when(v.signedBefore)} (the approval's expiry, signed); run recorded ${when(v.recordedAt)}`,
    `  at:           ${v.origin} (rpId ${v.rpId}); user verification ${v.userVerified ? 'yes' : 'no'} (${v.approved.userVerification})`,
    `  key:          ${key}; registered ${when(v.by.createdAt)}`,
    ...(v.proposedBy ? [`  proposed by:  token ${v.proposedBy.id} (signed), named "${v.proposedBy.name}"${v.proposedBy.reason !== undefined ? ` with the reason ${JSON.stringify(v.proposedBy.reason)}` : ''} in the run record (not signed)`] : []),
    ...(v.approvals ?? []).map((a, i) => `  approval ${i + 1}:   ${a.by.userName} with key "${a.by.label}" (${a.by.credentialId})${a.requester ? ', the requester' : ''}; signed before ${when(a.signedBefore)}`),
  ].join('\n');
}

function parseSince(text: string | undefined): number {
  if (text === undefined) return 0;
  const ms = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw usageError(cli, `--since must be a date like 2026-11-01 or 2026-11-01T12:00:00Z, not "${text}"`);
  return ms;
}

/** Pages newest first until an item is older than `since` (ids are time-ordered, so nothing older follows). */
async function* since<T>(list: (o: { limit: number; cursor?: string }) => Promise<Page<T>>, at: (t: T) => number, from: number): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await list({ limit: 100, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) {
      if (at(item) < from) return;
      yield item;
    }
    cursor = page.cursor;
  } while (cursor);
}

async function exportRecords(values: { since?: string; 'rp-id'?: string; origin?: string[] }): Promise<number> {
  const from = parseSince(values.since);
  const { table, store, identity } = await openRecords(identityFromFlags(values));
  const write = (line: unknown) => process.stdout.write(JSON.stringify(line) + '\n');
  try {
    write({ kind: 'verifier', ...identity });
    for (const { userName, credential } of await createAdminDirectory(table).listKeys()) write({ kind: 'key', ...trustedKey({ name: userName }, credential) });
    for await (const run of since<Run>((o) => store.listRuns(o), (r) => r.createdAt, from)) write({ kind: 'run', run });
    for await (const entry of since<AuditEntry>((o) => store.listAudit(o), (e) => e.at, from)) write({ kind: 'audit', entry });
    const { signatures, head } = await store.auditChain.readAuditChain();
    for (const signature of signatures) write({ kind: 'audit-signature', signature });
    if (head) write({ kind: 'audit-head', seq: head.seq, hash: head.hash });
  } finally {
    await table.close();
  }
  return 0;
}

async function audit(values: { export?: string; 'public-key'?: string }): Promise<number> {
  const keyFile = values['public-key'];
  let publicKey: KeyObject | undefined;
  if (keyFile !== undefined) {
    try {
      publicKey = readPublicKey(Buffer.from(await readBounded(keyFile, 64 * 1024, 'a public key', 'setup'), 'latin1'));
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError('setup', `${keyFile} is not a public key (${(e as Error).message.split('\n')[0]})`, 'Pass the PEM, or the DER that aws kms get-public-key returns.');
    }
  }
  let chain: Parameters<typeof verifyAudit>[0];
  if (values.export !== undefined) {
    if (!publicKey) throw usageError(cli, 'audit --export needs --public-key: the key is never trusted from the file being checked');
    try {
      chain = readAuditExport(await readBounded(values.export, MAX_KEYS_FILE_BYTES, 'an export', 'setup'));
    } catch (e) {
      if (e instanceof AuditExportProblem) throw new CliError('failed', `${values.export}: ${e.message}`);
      throw e;
    }
  } else {
    if (process.env.KEYLAUNCH_TABLE && !publicKey) throw usageError(cli, 'With KEYLAUNCH_TABLE, pass --public-key (the stack output AuditKeyId names the KMS key)');
    if (!process.env.KEYLAUNCH_TABLE && !existsSync(join(dataDir(), 'local.json'))) {
      throw new CliError('setup', `No local mode data in ${dataDir()} (no local.json)`, 'Set KEYLAUNCH_DATA to the data folder, KEYLAUNCH_TABLE to a deployed table, or pass --export <file>.');
    }
    publicKey ??= await localAuditPublicKey(dataDir());
    if (!publicKey) throw new CliError('setup', `No audit signing key in ${dataDir()} (${LOCAL_AUDIT_KEY_FILE})`, 'Local mode makes it when it starts; or pass --public-key.');
    const table = await openTable();
    try {
      chain = await createDynamoStore({ client: documentClient(table.client), tableName: table.tableName }).auditChain.readAuditChain();
    } finally {
      await table.close();
    }
  }
  const report = verifyAudit(chain, publicKey);
  if (!report.ok) throw new CliError('failed', describeReport(report));
  console.log(describeReport(report));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandLine(cli, argv, {
    keys: { type: 'string' },
    'rp-id': { type: 'string' },
    origin: { type: 'string', multiple: true },
    since: { type: 'string' },
    export: { type: 'string' },
    'public-key': { type: 'string' },
  });
  const auditOnly = values.export !== undefined || values['public-key'] !== undefined;
  if (auditOnly && command_(positionals) !== 'audit') throw usageError(cli, '--export and --public-key go with audit');
  const [command, ...rest] = positionals;
  if (!command) throw usageError(cli, 'Missing a command');
  if (command === 'receipt') {
    if (rest.length !== 1) throw usageError(cli, rest.length === 0 ? 'receipt needs a run file' : `Unexpected argument "${rest[1]}"`);
    if (values.since !== undefined) throw usageError(cli, '--since goes with export');
    return receipt(rest[0]!, values);
  }
  if (command === 'export') {
    if (rest.length) throw usageError(cli, `Unexpected argument "${rest[0]}"`);
    if (values.keys !== undefined) throw usageError(cli, '--keys goes with receipt');
    return exportRecords(values);
  }
  if (command === 'audit') {
    if (rest.length) throw usageError(cli, `Unexpected argument "${rest[0]}"`);
    if (values.keys !== undefined || values.since !== undefined || values['rp-id'] !== undefined || values.origin !== undefined) throw usageError(cli, 'audit takes --export and --public-key only');
    return audit(values);
  }
  throw usageError(cli, `Unknown command "${command}"`);
}

const command_ = (positionals: string[]) => positionals[0];

await runCli(cli, main);
