import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, startHarness, type Harness } from '../../support/harness';
import { startLocalDynamo } from '../../../backend/local/localDynamo';

/** Issue 11 §2: what a web page (or anything not the desktop) can make the verifier do — nothing. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** A raw HTTP request with exactly these headers (fetch would add or forbid some). */
function raw(url: string, o: { method?: string; path: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url + o.path, { method: o.method ?? 'POST', headers: o.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

describe('bodies must be application/json', () => {
  it.each([
    ['text/plain (a "simple" cross-site POST)', 'text/plain;charset=UTF-8'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['a JSON look-alike', 'application/json-patch+json'],
  ])('%s is refused with 415 unsupported_media_type, before anything is read', async (_, type) => {
    const user = await h.enroll();
    const before = (await h.auditEntries()).length;
    const res = await h.api('POST', '/v1/unlock/options', JSON.stringify({ userName: user.name }), undefined, { 'content-type': type });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect((await h.auditEntries()).length).toBe(before);
  });

  it('no content type at all is refused too', async () => {
    const res = await raw(h.url, { path: '/v1/unlock/options', headers: { host: new URL(h.url).host }, body: '{"userName":"a"}' });
    expect(res.status).toBe(415);
    expect(JSON.parse(res.body).error.code).toBe('unsupported_media_type');
  });

  it('application/json with a charset passes', async () => {
    const res = await h.api('POST', '/v1/unlock/options', JSON.stringify({ userName: 'someone' }), undefined, { 'content-type': 'Application/JSON; charset=utf-8' });
    expect(res.status).toBe(200);
  });
});

describe('cross-site requests are refused', () => {
  it.each([
    [{ origin: 'https://evil.example' }],
    [{ origin: 'null' }],
    [{ origin: 'http://localhost:5317' }],
    [{ 'sec-fetch-site': 'cross-site' }],
  ])('%o: 403 origin_not_allowed, nothing stored', async (headers) => {
    const user = await h.enroll();
    const token = await h.session(user);
    const before = (await h.auditEntries()).length;
    const res = await h.api('POST', '/v1/runs/prepare', { job: 'echo', params: { message: 'x' } }, token, headers);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('origin_not_allowed');
    expect((await h.auditEntries()).length).toBe(before);
    expect(h.events.at(-1)).toMatchObject({ code: 'origin_not_allowed', Refused: 1 });
  });

  it('the app origin itself, and same-origin fetch metadata, pass', async () => {
    const user = await h.enroll();
    const token = await h.session(user);
    const res = await h.api('GET', '/v1/jobs', undefined, token, { origin: ORIGIN, 'sec-fetch-site': 'same-origin' });
    expect(res.status).toBe(200);
  });
});

describe('audited refusals carry their retention class; every chained entry is kept', () => {
  it('a refusal that names someone carries expiresAt (+90 days), an acceptance none; neither has a TTL, which would break the hash chain', async () => {
    const user = await h.enroll();
    const refused = await h.unlock(user, { origin: 'https://evil.test' });
    expect(refused.body.error.code).toBe('verification_failed');
    const accepted = await h.unlock(user);
    expect(accepted.status).toBe(200);
    await h.unlock(user); // one more entry, so both are copied out of the chain's head into their day
    const entries = (await h.auditEntries()).filter((e) => e.userName === user.name && e.action === 'unlock.verify');
    const no = entries.find((e) => e.outcome === 'refused')!;
    const yes = entries.filter((e) => e.outcome === 'accepted').at(-1)!; // the first, not the last unlock's (still in the head)
    expect(no.expiresAt! - no.at).toBe(90 * 86_400_000);
    expect(yes.expiresAt).toBeUndefined();
    const { Items } = await h.documents.send(new (await import('../../../backend/adapters/dynamo/documentCommands')).QueryCommand({ TableName: 'kl-test', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `AUDIT#${no.day}` } }));
    const item = (id: string) => Items!.find((i: Record<string, unknown>) => i.id === id)!;
    expect(item(no.id)).toMatchObject({ seq: no.seq, hash: no.hash });
    expect(item(no.id).ttl).toBeUndefined();
    expect(item(yes.id).ttl).toBeUndefined();
  });

  it('a step that only issues a challenge expires like a refusal (anyone may ask unlock options in any name)', async () => {
    const user = await h.enroll();
    const options = await h.api('POST', '/v1/unlock/options', { userName: user.name });
    const decoy = await h.api('POST', '/v1/unlock/options', { userName: h.newName('nobody') });
    expect([options.status, decoy.status]).toEqual([200, 200]);
    const entries = (await h.auditEntries()).filter((e) => e.action === 'unlock.options').slice(0, 2);
    expect(entries).toHaveLength(2);
    for (const e of entries) expect(e).toMatchObject({ outcome: 'accepted', expiresAt: e.at + 90 * 86_400_000 });
  });
});

describe('local mode: only its own loopback name', () => {
  it.each(['evil.example', 'evil.example:80', '127.0.0.1', '127.0.0.1:1'])('Host %s is refused (421 host_not_allowed)', async (host) => {
    const res = await raw(h.url, { path: '/v1/unlock/options', headers: { host, 'content-type': 'application/json' }, body: '{"userName":"a"}' });
    expect(res.status).toBe(421);
    expect(JSON.parse(res.body).error.code).toBe('host_not_allowed');
  });

  it('Host 127.0.0.1:<port> and localhost:<port> are served', async () => {
    const port = new URL(h.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const res = await raw(h.url, { path: '/v1/unlock/options', headers: { host, 'content-type': 'application/json' }, body: '{"userName":"a"}' });
      expect(res.status, host).toBe(200);
    }
  });

  it('dynalite refuses anything a browser sends, and other Host names; the SDK still works', async () => {
    const dynamo = await startLocalDynamo({ tableName: 'kl-edge' });
    try {
      const host = new URL(dynamo.endpoint).host;
      const listTables = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' };
      const cases: Record<string, string>[] = [
        { host, origin: 'https://evil.example', ...listTables },
        { host, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors', ...listTables },
        { host: `rebind.example:${new URL(dynamo.endpoint).port}`, ...listTables },
      ];
      for (const headers of cases) {
        const res = await raw(dynamo.endpoint, { path: '/', headers, body: '{}' });
        expect(res.status, JSON.stringify(headers)).toBe(403);
        expect(res.body).not.toContain('kl-edge');
      }
      const preflight = await raw(dynamo.endpoint, { method: 'OPTIONS', path: '/', headers: { host, origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      expect(preflight.status).toBe(403);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const { ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
      expect((await dynamo.client.send(new ListTablesCommand({}))).TableNames).toContain('kl-edge');
    } finally {
      await dynamo.close();
    }
  });
});
