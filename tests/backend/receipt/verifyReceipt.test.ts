import { runKey } from '../../../backend/adapters/dynamo/runPartitions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '../../../backend/adapters/dynamo/documentCommands';
import { ORIGIN, RP_ID, startHarness, type Harness } from '../../support/harness';
import { verifyReceipt, type ReceiptVerdict, type TrustedRecords } from '../../../backend/receipt/verifyReceipt';
import { recordsFromStore } from '../../../backend/receipt/trustedRecords';
import { canonicalJson } from '../../../backend/core/canonicalJson';
import { fingerprint, intentHash } from '../../../backend/core/intent';
import type { Intent } from '../../../backend/core/model';

/**
 * docs/security.md, property 18: a run re-verifies offline from what `GET /v1/runs/{id}` answers plus the
 * verifier's own key records, and every change to it is refused with the exact reason.
 */
let h: Harness;
let records: TrustedRecords;
beforeAll(async () => {
  h = await startHarness();
  records = recordsFromStore(h.store, { rpId: RP_ID, origins: [ORIGIN] });
});
afterAll(() => h.close());

type User = Awaited<ReturnType<Harness['enroll']>>;

/** A run approved through the real verifier, as GET /v1/runs/{id} answers it. */
async function approvedRun(o: { user?: User; job?: string; params?: Record<string, unknown>; secrets?: Record<string, unknown>; uv?: boolean } = {}) {
  const user = o.user ?? (await h.enroll());
  const token = await h.session(user);
  const prep = await h.api('POST', '/v1/runs/prepare', { job: o.job ?? 'echo', params: o.params ?? { message: 'hi', count: 2 } }, token);
  expect(prep.status).toBe(200);
  const assertion = user.authenticator.assert(prep.body.options, { uv: o.uv });
  const confirmed = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion, secrets: o.secrets ?? {} }, token);
  expect(confirmed.status).toBe(200);
  const got = await h.api('GET', `/v1/runs/${confirmed.body.run.id}`, undefined, token);
  expect(got.status).toBe(200);
  return { user, token, prep, answer: got.body as { run: any } };
}

const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v));
/** The base64url value with one byte XORed. */
const flip = (b64: string, index: number) => {
  const bytes = Buffer.from(b64, 'base64url');
  bytes[index < 0 ? bytes.length + index : index]! ^= 0x01;
  return bytes.toString('base64url');
};
const refusal = (v: ReceiptVerdict) => (v.ok ? { ok: true } : { problem: v.problem, reason: v.reason });

/** The challenge the run's key signed, for re-signing it as an attacker (or a phished touch) would. */
const signedChallenge = (run: any) => JSON.parse(Buffer.from(run.receipt.clientDataJSON, 'base64url').toString()).challenge as string;

function withAssertion(run: any, assertion: any) {
  const forged = copy(run);
  Object.assign(forged.receipt, { authenticatorData: assertion.response.authenticatorData, clientDataJSON: assertion.response.clientDataJSON, signature: assertion.response.signature });
  return forged;
}

describe('a genuine receipt verifies offline', () => {
  it('says what was approved, by whom (from the records), when, and holds no secret value', async () => {
    const { user, prep, answer } = await approvedRun({ job: 'with-secret', params: { target: 'staging' }, secrets: { token: '493817' } });
    const run = answer.run;
    expect(run.receipt.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.parse(run.intent)).toMatchObject({ purpose: 'run', job: 'with-secret', params: { target: 'staging' }, secretParams: ['token'], userId: user.userId });
    // The intent binds the secret's name only: its value is nowhere in the answer or in the stored item.
    const item = await h.documents.send(new GetCommand({ TableName: 'kl-test', Key: runKey(run.id) }));
    expect(JSON.stringify(answer)).not.toContain('493817');
    expect(JSON.stringify(item.Item)).not.toContain('493817');

    const verdict = await verifyReceipt(answer, records);
    expect(verdict).toMatchObject({
      ok: true,
      runId: run.id,
      approved: { job: 'with-secret', params: { target: 'staging' }, secretParams: ['token'], fingerprint: prep.body.fingerprint, intentHash: run.intentHash },
      by: { userId: user.userId, userName: user.name, credentialId: user.credentialId, label: 'primary' },
      origin: ORIGIN,
      rpId: RP_ID,
      signedBefore: prep.body.expiresAt,
    });
    expect(verdict.ok && verdict.by.revokedAt).toBeUndefined();
    // The bare run (not wrapped in `{ run }`) is taken as well.
    expect((await verifyReceipt(run, records)).ok).toBe(true);
  });

  it('a revoked key still verifies what it approved before, and says since when it is revoked', async () => {
    const { user, token, answer } = await approvedRun();
    const options = await h.api('POST', '/v1/keys/revoke/options', { credentialId: user.credentialId, allowLastKey: true }, token);
    const revoked = await h.api('POST', '/v1/keys/revoke/verify', { intentId: options.body.intentId, assertion: user.authenticator.assert(options.body.approval) }, token);
    expect(revoked.status).toBe(200);
    const verdict = await verifyReceipt(answer, records);
    expect(verdict.ok).toBe(true);
    expect(verdict.ok && verdict.by.revokedAt).toBe(revoked.body.key.revokedAt);
  });
});

describe('a changed receipt is refused with the exact reason', () => {
  let genuine: { user: User; answer: { run: any } };
  beforeAll(async () => {
    genuine = await approvedRun();
    expect((await verifyReceipt(genuine.answer, records)).ok).toBe(true);
  });
  const mutated = (change: (run: any) => void) => {
    const run = copy(genuine.answer.run);
    change(run);
    return verifyReceipt({ run }, records);
  };

  it.each([
    { what: 'authenticatorData (its counter byte)', change: (r: any) => (r.receipt.authenticatorData = flip(r.receipt.authenticatorData, -1)), problem: 'bad_signature' },
    { what: 'authenticatorData (its rpId hash)', change: (r: any) => (r.receipt.authenticatorData = flip(r.receipt.authenticatorData, 0)), problem: 'wrong_rp_id' },
    { what: 'authenticatorData (its flags: no touch)', change: (r: any) => (r.receipt.authenticatorData = flip(r.receipt.authenticatorData, 32)), problem: 'no_user_presence' },
    { what: 'clientDataJSON (a byte of the challenge)', change: (r: any) => {
      const text = Buffer.from(r.receipt.clientDataJSON, 'base64url');
      r.receipt.clientDataJSON = flip(r.receipt.clientDataJSON, text.indexOf('"challenge":"') + 14);
    }, problem: 'challenge_mismatch' },
    { what: 'clientDataJSON (a byte after the JSON members: signed bytes)', change: (r: any) => {
      const text = Buffer.from(r.receipt.clientDataJSON, 'base64url').toString().replace('"crossOrigin":false', '"crossOrigin":false ');
      r.receipt.clientDataJSON = Buffer.from(text).toString('base64url');
    }, problem: 'bad_signature' },
    { what: 'signature (a byte inside r)', change: (r: any) => (r.receipt.signature = flip(r.receipt.signature, 10)), problem: 'bad_signature' },
    { what: 'signature (a byte appended after the DER)', change: (r: any) => (r.receipt.signature = Buffer.concat([Buffer.from(r.receipt.signature, 'base64url'), Buffer.from([0])]).toString('base64url')), problem: 'signature_not_der' },
    { what: 'nonce', change: (r: any) => (r.receipt.nonce = flip(r.receipt.nonce, 5)), problem: 'challenge_mismatch' },
    { what: 'intent params (only the intent)', change: (r: any) => (r.intent = r.intent.replace('"message":"hi"', '"message":"hj"')), problem: 'run_disagrees' },
    { what: 'run params (only what people read)', change: (r: any) => (r.params.message = 'hj'), problem: 'run_disagrees' },
    { what: 'intent params, with the run\'s hash, fingerprint and params made to agree', change: (r: any) => {
      const intent = JSON.parse(r.intent) as Intent & { params: Record<string, unknown> };
      intent.params.message = 'hj';
      r.intent = canonicalJson(intent);
      r.intentHash = intentHash(intent).toString('hex');
      r.fingerprint = fingerprint(intent);
      r.params = { ...r.params, message: 'hj' };
    }, problem: 'challenge_mismatch' },
    { what: 'intent in another key order (not the hashed text)', change: (r: any) => (r.intent = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(r.intent)).reverse()))), problem: 'receipt_malformed' },
    { what: 'userName', change: (r: any) => (r.userName = 'someone-else'), problem: 'run_disagrees' },
  ])('one change in $what → $problem', async ({ change, problem }) => {
    const verdict = await mutated(change);
    expect(refusal(verdict)).toMatchObject({ problem });
    expect(verdict.ok ? '' : verdict.reason).not.toBe('');
  });

  it('a receipt for another intent (the other run\'s intent and nonce, everything else made to agree) → challenge_mismatch', async () => {
    const other = await approvedRun({ user: genuine.user, params: { message: 'other', count: 1 } });
    const verdict = await mutated((r) => {
      for (const field of ['intent', 'intentHash', 'fingerprint', 'params', 'job', 'configVersions']) r[field] = other.answer.run[field];
      r.receipt.nonce = other.answer.run.receipt.nonce;
    });
    expect(refusal(verdict)).toEqual({ problem: 'challenge_mismatch', reason: 'The key signed a challenge that is not derived from this intent and nonce.' });
  });

  it('a key swapped in the file is never trusted: the file\'s own publicKey is ignored and the signature fails against the records', async () => {
    const mallory = await h.enroll();
    const malloryKey = (await h.store.getUserWithCredentials(mallory.userId))!.credentials[0]!;
    const run = genuine.answer.run;
    // Mallory signs the very same challenge with her key, and ships her public key inside the file.
    const assertion = mallory.authenticator.assert({ challenge: signedChallenge(run), rpId: RP_ID, allowCredentials: [{ id: mallory.credentialId, type: 'public-key' }] });
    const forged = withAssertion(run, assertion);
    forged.publicKey = malloryKey.publicKey;
    forged.receipt.publicKey = malloryKey.publicKey;
    const verdict = await verifyReceipt({ run: forged }, records);
    expect(refusal(verdict)).toMatchObject({ problem: 'bad_signature' });
    expect(verdict.ok ? '' : verdict.reason).toContain('from the verifier\'s records');

    // Naming her own credential instead: the intent never allowed it.
    const renamed = withAssertion(run, assertion);
    renamed.credentialId = renamed.receipt.credentialId = mallory.credentialId;
    expect(refusal(await verifyReceipt({ run: renamed }, records))).toMatchObject({ problem: 'key_not_allowed' });
  });

  it('a key revoked or suspended before the approval was asked for → key_revoked_before (it could never have been accepted)', async () => {
    const verdict = await verifyReceipt(genuine.answer, records);
    if (!verdict.ok) throw new Error(verdict.reason);
    const earliestPrepare = verdict.signedBefore - 60_000;
    const revokedAt = (at: number, field: 'revokedAt' | 'suspendedAt'): TrustedRecords => ({ ...records, key: async (u, c) => ({ ...(await records.key(u, c))!, [field]: at }) });
    expect(refusal(await verifyReceipt(genuine.answer, revokedAt(earliestPrepare - 1, 'revokedAt')))).toMatchObject({ problem: 'key_revoked_before' });
    expect(refusal(await verifyReceipt(genuine.answer, revokedAt(earliestPrepare - 1, 'suspendedAt')))).toMatchObject({ problem: 'key_revoked_before' });
    // Revoked within the approval's window or after it: the approval may stand, and verifies.
    expect((await verifyReceipt(genuine.answer, revokedAt(earliestPrepare, 'revokedAt'))).ok).toBe(true);
  });

  it('a key the verifier\'s records do not hold → key_unknown', async () => {
    const empty: TrustedRecords = { rpId: RP_ID, origins: [ORIGIN], key: async () => undefined };
    expect(refusal(await verifyReceipt(genuine.answer, empty))).toMatchObject({ problem: 'key_unknown' });
  });

  it.each([
    { what: 'another origin (a phished touch)', tweaks: { origin: 'https://evil.test' }, problem: 'wrong_origin' },
    { what: 'another rpId', tweaks: { rpId: 'evil.test' }, problem: 'wrong_rp_id' },
    { what: 'a cross-origin frame', tweaks: { clientData: { crossOrigin: true } }, problem: 'cross_origin' },
    { what: 'a topOrigin', tweaks: { clientData: { topOrigin: 'https://evil.test' } }, problem: 'cross_origin' },
    { what: 'no touch', tweaks: { up: false }, problem: 'no_user_presence' },
    { what: 'a registration ceremony', tweaks: { type: 'webauthn.create' }, problem: 'wrong_type' },
  ])('the approving key itself signed the right challenge for $what → $problem', async ({ tweaks, problem }) => {
    const run = genuine.answer.run;
    const assertion = genuine.user.authenticator.assert({ challenge: signedChallenge(run), rpId: RP_ID, allowCredentials: [{ id: genuine.user.credentialId, type: 'public-key' }] }, tweaks);
    expect(refusal(await verifyReceipt({ run: withAssertion(run, assertion) }, records))).toMatchObject({ problem });
    // The control: the same re-signing without the tweak verifies, so the refusal is the tweak's.
    const control = genuine.user.authenticator.assert({ challenge: signedChallenge(run), rpId: RP_ID, allowCredentials: [{ id: genuine.user.credentialId, type: 'public-key' }] });
    expect((await verifyReceipt({ run: withAssertion(run, control) }, records)).ok).toBe(true);
  });

  it('a verifier with another rpId or origin refuses a genuine receipt', async () => {
    const elsewhere = (over: Partial<TrustedRecords>): TrustedRecords => ({ ...records, ...over });
    expect(refusal(await verifyReceipt(genuine.answer, elsewhere({ rpId: 'other.test' })))).toMatchObject({ problem: 'wrong_rp_id' });
    expect(refusal(await verifyReceipt(genuine.answer, elsewhere({ origins: ['https://other.test'] })))).toMatchObject({ problem: 'wrong_origin' });
  });

  it('a job that required user verification: a receipt whose key did not report it is refused', async () => {
    const { user, answer } = await approvedRun({ job: 'needs-uv', params: {}, uv: true });
    const run = answer.run;
    expect(await verifyReceipt(answer, records)).toMatchObject({ ok: true, userVerified: true, approved: { userVerification: 'required' } });
    const noUv = user.authenticator.assert({ challenge: signedChallenge(run), rpId: RP_ID, allowCredentials: [{ id: user.credentialId, type: 'public-key' }] }, { uv: false });
    expect(refusal(await verifyReceipt({ run: withAssertion(run, noUv) }, records))).toMatchObject({ problem: 'no_user_verification' });
  });

  it('a run recorded before receipts kept the intent and nonce → receipt_incomplete; something else → receipt_malformed', async () => {
    const legacy = copy(genuine.answer.run);
    delete legacy.intent;
    delete legacy.receipt.nonce;
    expect(refusal(await verifyReceipt({ run: legacy }, records))).toMatchObject({ problem: 'receipt_incomplete' });
    const deep = { run: { ...genuine.answer.run, intent: '['.repeat(100_000) + ']'.repeat(100_000) } };
    for (const junk of [deep, null, 'run', [], { run: { id: 'x' } }, { run: { ...genuine.answer.run, receipt: { ...genuine.answer.run.receipt, signature: 'not base64url!' } } }]) {
      expect(refusal(await verifyReceipt(junk, records))).toMatchObject({ problem: 'receipt_malformed' });
    }
  });
});
