import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, startHarness, type Harness } from '../../support/harness';
import { SoftAuthenticator } from '../../support/softAuthenticator';
import { sampleJobs } from '../../support/sampleJobs';

/**
 * Issue 11 §3: every byte of an assertion and every parameter name and character is checked. Each case
 * starts from a genuine signature by the software authenticator and mutates it as an attacker would.
 */
const node = process.execPath;
const jobs = [
  ...sampleJobs,
  {
    name: 'free-text',
    title: 'Any text, on purpose',
    type: 'local',
    // A pattern that deliberately admits a right-to-left override (a job for RTL labels, say).
    params: [
      { name: 'label', type: 'string', required: true, pattern: '[\\u202Ea-z.]+' },
      { name: 'place', type: 'enum', values: ['caf\u00e9', 'bar'], default: 'bar' },
    ],
    allow: { roles: ['admin', 'operator'] },
    target: { argv: [node, '-e', 'console.log(process.argv[1])', '{{label}}'], timeoutSeconds: 20 },
  },
];

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ jobs });
});
afterAll(() => h.close());

async function prepared(job = 'echo', params: Record<string, unknown> = { message: 'hi' }) {
  const user = await h.enroll();
  const token = await h.session(user);
  const prep = await h.api('POST', '/v1/runs/prepare', { job, params }, token);
  expect(prep.status).toBe(200);
  return { user, token, prep };
}

const withSignature = (assertion: any, signature: Buffer) => ({ ...assertion, response: { ...assertion.response, signature: signature.toString('base64url') } });

describe('ES256 signatures: canonical DER only', () => {
  it.each([
    ['a byte after the DER structure', (der: Buffer) => Buffer.concat([der, Buffer.from([0])])],
    ['the DER structure twice', (der: Buffer) => Buffer.concat([der, der])],
    ['garbage after the DER structure', (der: Buffer) => Buffer.concat([der, Buffer.from('ffff', 'hex')])],
  ])('%s is refused (verification_failed) and launches nothing', async (_, mutate) => {
    const { user, token, prep } = await prepared();
    const genuine = user.authenticator.assert(prep.body.options);
    const forged = withSignature(genuine, mutate(Buffer.from(genuine.response.signature, 'base64url')));
    const before = h.launcher.launches.length;
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: forged }, token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('verification_failed');
    expect(h.launcher.launches.length).toBe(before);
  });

  it('a non-minimal DER length in an unlock signature is refused too', async () => {
    const user = await h.enroll();
    const options = await h.api('POST', '/v1/unlock/options', { userName: user.name });
    const genuine = user.authenticator.assert(options.body.options);
    const der = Buffer.from(genuine.response.signature, 'base64url');
    // 0x30 <len> -> 0x30 0x81 <len>: the same structure, a long-form length DER forbids.
    const longForm = Buffer.concat([Buffer.from([0x30, 0x81, der[1]!]), der.subarray(2)]);
    const res = await h.api('POST', '/v1/unlock/verify', { intentId: options.body.intentId, assertion: withSignature(genuine, longForm) });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('verification_failed');
  });

  it('the unmutated signature launches (the control case)', async () => {
    const { user, token, prep } = await prepared();
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: user.authenticator.assert(prep.body.options) }, token);
    expect(res.status).toBe(200);
    expect((await h.ended(res.body.run.id, token)).status).toBe('succeeded');
  });
});

describe('clientDataJSON: a cross-origin frame is refused', () => {
  it.each([[{ crossOrigin: true }], [{ crossOrigin: 'true' }], [{ topOrigin: 'https://evil.example' }]])('%o, genuinely signed, launches nothing', async (clientData) => {
    const { user, token, prep } = await prepared();
    const assertion = user.authenticator.assert(prep.body.options, { clientData });
    const before = h.launcher.launches.length;
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('verification_failed');
    expect(h.launcher.launches.length).toBe(before);
  });

  it('unlock with crossOrigin: true gets no session', async () => {
    const user = await h.enroll();
    const res = await h.unlock(user, { clientData: { crossOrigin: true } });
    expect(res.status).toBe(401);
    expect(res.body.session).toBeUndefined();
  });

  it('enrollment with crossOrigin: true registers no key', async () => {
    const name = h.newName();
    const { code } = await h.invite(name);
    const options = await h.api('POST', '/v1/enroll/options', { inviteCode: code });
    const registration = new SoftAuthenticator(ORIGIN).register(options.body.options, { clientData: { crossOrigin: true } });
    const res = await h.api('POST', '/v1/enroll/verify', { intentId: options.body.intentId, registration, label: 'x' });
    expect(res.status).toBe(401);
    expect(await h.store.getUserByName(name)).toBeUndefined();
  });
});

describe('parameter names: anything not declared is refused, whatever it is', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('%s is refused, not dropped', async (name) => {
    const user = await h.enroll();
    const token = await h.session(user);
    // Raw JSON: JSON.stringify of an object literal would not carry a `__proto__` key.
    const body = `{"job":"echo","params":{"message":"hi","${name}":"x"}}`;
    const res = await h.api('POST', '/v1/runs/prepare', body, token);
    expect(res.status).toBe(400);
    expect(['bad_request', 'params_invalid']).toContain(res.body.error.code);
    expect(JSON.stringify(res.body.error)).toContain(name);
  });

  it('`__proto__` is refused anywhere in a body, e.g. inside the assertion', async () => {
    const { user, token, prep } = await prepared();
    const assertion = user.authenticator.assert(prep.body.options);
    const body = JSON.stringify({ intentId: prep.body.intentId, assertion }).replace('"clientExtensionResults":{}', '"clientExtensionResults":{"__proto__":{"x":1}}');
    const before = h.launcher.launches.length;
    const res = await h.api('POST', '/v1/runs/confirm', body, token);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(h.launcher.launches.length).toBe(before);
  });
});

describe('parameter strings: what is shown is what is signed', () => {
  it('values are NFC-normalized before they are bound, shown and launched', async () => {
    const decomposed = 'cafe\u0301';
    const { user, token, prep } = await prepared('echo', { message: decomposed });
    expect(prep.body.params.message).toBe('caf\u00e9');
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: user.authenticator.assert(prep.body.options) }, token);
    expect(res.body.run.params.message).toBe('caf\u00e9');
    expect((await h.ended(res.body.run.id, token)).launch!.stdout!.trim()).toBe('caf\u00e9|1');
    // The same text either way gives the same approval: one fingerprint for both spellings.
    const again = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'caf\u00e9' } }, token);
    expect(again.body.params).toEqual(prep.body.params);
  });

  it.each([
    ['a right-to-left override', 'invoice\u202Efdp.exe'],
    ['a bidi isolate', 'a\u2066b\u2069'],
    ['a newline', 'line1\nline2'],
    ['an escape (terminal control)', 'x\u001b[2Jy'],
    ['a C1 control', 'x\u0085y'],
    ['a NUL', 'x\u0000y'],
    // From an attacker's review: invisible format characters render identically in the review.
    ['a zero-width space', 'ad\u200Bmin'],
    ['a word joiner', 'ad\u2060min'],
    ['a soft hyphen', 'ad\u00ADmin'],
    ['a byte-order mark', '\uFEFFadmin'],
    ['a tag character', 'admin\u{E0041}'],
  ])('%s is refused (params_invalid) when the pattern does not admit it', async (_, value) => {
    const user = await h.enroll();
    const token = await h.session(user);
    const res = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: value } }, token);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('params_invalid');
    expect(res.body.error.details.fields.message).toMatch(/control|bidirectional/);
  });

  it('an enum value typed in another normal form is that value, bound as the job spells it', async () => {
    const { prep } = await prepared('free-text', { label: 'abc', place: 'cafe\u0301' });
    expect(prep.body.params.place).toBe('caf\u00e9');
  });

  it('a job whose pattern admits the character takes it', async () => {
    const { prep } = await prepared('free-text', { label: 'abc\u202Edef' });
    expect(prep.body.params.label).toBe('abc\u202Edef');
  });
});

describe('WebAuthn objects: unknown fields are refused, not dropped', () => {
  it.each([
    ['on the assertion', (a: any) => ({ ...a, extra: 1 })],
    ['inside assertion.response', (a: any) => ({ ...a, response: { ...a.response, attestationObject: 'AAAA' } })],
  ])('%s: bad_request, nothing launched', async (_, mutate) => {
    const { user, token, prep } = await prepared();
    const assertion = mutate(user.authenticator.assert(prep.body.options));
    const before = h.launcher.launches.length;
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion }, token);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(h.launcher.launches.length).toBe(before);
  });

  it('inside registration.response: bad_request, no key', async () => {
    const name = h.newName();
    const { code } = await h.invite(name);
    const options = await h.api('POST', '/v1/enroll/options', { inviteCode: code });
    const registration = new SoftAuthenticator(ORIGIN).register(options.body.options);
    const res = await h.api('POST', '/v1/enroll/verify', { intentId: options.body.intentId, registration: { ...registration, response: { ...registration.response, signature: 'AAAA' } }, label: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(await h.store.getUserByName(name)).toBeUndefined();
  });
});
