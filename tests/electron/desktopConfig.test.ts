import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importRefusal, loadDesktopConfig, parseDesktopConfig } from '../../electron/main/desktopConfig';

/**
 * docs/security.md, property 3 on the desktop: a config file cannot choose the WebAuthn origin or rpId. The origin is
 * the verifier's own; the rpId is its host or a parent inside the host's registrable domain.
 */
const deployed = { verifierUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod', rpId: 'abc123.execute-api.eu-west-1.amazonaws.com', userName: 'alice' };
const custom = { verifierUrl: 'https://keylaunch.example.co.uk/', rpId: 'keylaunch.example.co.uk', userName: 'alice' };
const local = { verifierUrl: 'http://127.0.0.1:8787', rpId: 'localhost', userName: 'admin' };
const reasonOf = (doc: unknown) => {
  const r = parseDesktopConfig(typeof doc === 'string' ? doc : JSON.stringify(doc));
  return 'reason' in r ? r.reason : undefined;
};

describe('the app origin and rpId, by construction', () => {
  it('serves the app at the verifier’s own origin, whatever path (stage) the verifier URL has', () => {
    expect(parseDesktopConfig(JSON.stringify(deployed))).toMatchObject({ config: { appOrigin: 'https://abc123.execute-api.eu-west-1.amazonaws.com', mode: 'remote' } });
    expect(parseDesktopConfig(JSON.stringify(custom))).toMatchObject({ config: { appOrigin: 'https://keylaunch.example.co.uk', mode: 'remote' } });
  });

  it('serves a local-mode app at http://localhost on the verifier’s port', () => {
    expect(parseDesktopConfig(JSON.stringify(local))).toMatchObject({ config: { appOrigin: 'http://localhost:8787', rpId: 'localhost', mode: 'local' } });
  });

  it('accepts a parent of the host inside its registrable domain', () => {
    expect(parseDesktopConfig(JSON.stringify({ ...custom, rpId: 'example.co.uk' }))).toHaveProperty('config.rpId', 'example.co.uk');
    expect(parseDesktopConfig(JSON.stringify({ ...custom, appOrigin: 'https://keylaunch.example.co.uk' }))).toHaveProperty('config');
  });

  it.each([
    ['another origin for the app (the phishing case)', { ...custom, appOrigin: 'https://sso.victim-corp.example' }, /appOrigin: the app is served at the verifier's own origin/],
    ['an rpId that is not the host or a parent', { ...custom, rpId: 'victim-corp.example' }, /rpId: must be the verifier's host/],
    ['an rpId that is only a suffix string of the host', { ...custom, verifierUrl: 'https://evilexample.co.uk', rpId: 'example.co.uk' }, /rpId: must be the verifier's host/],
    ['an ICANN public suffix as rpId', { ...custom, rpId: 'co.uk' }, /rpId: co\.uk is a public suffix/],
    ['a private-section public suffix as rpId (amazonaws.com for execute-api)', { ...deployed, rpId: 'amazonaws.com' }, /rpId: amazonaws\.com is a public suffix/],
    ['the execute-api suffix itself as rpId', { ...deployed, rpId: 'execute-api.eu-west-1.amazonaws.com' }, /public suffix/],
    ['http to a non-loopback verifier', { ...custom, verifierUrl: 'http://keylaunch.example.co.uk' }, /verifierUrl: must be https/],
    ['an IP-address verifier', { ...custom, verifierUrl: 'https://203.0.113.7/', rpId: '203.0.113.7' }, /verifierUrl: .*not an IP address/],
    ['credentials in the verifier URL', { ...custom, verifierUrl: 'https://u:p@keylaunch.example.co.uk/' }, /verifierUrl: must not carry a user name/],
    ['a local verifier with another rpId', { ...local, rpId: 'example.com' }, /rpId: must be "localhost"/],
    ['a local app origin on another port', { ...local, appOrigin: 'http://localhost:5317' }, /appOrigin/],
    ['an upper-case rpId', { ...custom, rpId: 'Example.co.uk' }, /rpId: must be a lower-case/],
    ['an unknown field', { ...custom, devTools: true }, /Unrecognized key/],
    ['a bad pin', { ...custom, pinSha256: ['abc'] }, /pinSha256/],
    ['not JSON', '{', /not valid JSON/],
  ])('refuses %s, with the reason', (_, doc, reason) => {
    expect(reasonOf(doc)).toMatch(reason);
  });
  // From an attacker's review: a path that makes request URLs resolve to another host than the app's origin.
  it.each(['//attacker.example', '/..//attacker.example', '/\\attacker.example', '/live/..//attacker.example'])('refuses a verifier path that leaves the origin (%s)', (path) => {
    expect(reasonOf({ ...custom, verifierUrl: `https://keylaunch.example.co.uk${path}` })).toMatch(/verifierUrl: its path may only be a stage name/);
  });
});

describe('which config is used', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kl-cfg-'));
  const file = (name: string, doc: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(doc));
    return path;
  };
  const baked = file('baked.json', deployed);
  const imported = file('imported.json', custom);
  const flagged = file('flag.json', local);

  it('uses a baked profile, and refuses --keylaunch-config and imports beside it, plainly', async () => {
    expect(await loadDesktopConfig({ argv: [], importedFile: imported, bakedFile: baked })).toMatchObject({ source: 'built-in', state: { state: 'ok', verifierUrl: deployed.verifierUrl } });
    const withFlag = await loadDesktopConfig({ argv: [`--keylaunch-config=${flagged}`], importedFile: imported, bakedFile: baked });
    expect(withFlag.config).toBeUndefined();
    expect(withFlag.state).toMatchObject({ state: 'invalid', reason: expect.stringContaining('does not accept --keylaunch-config') });
    expect(importRefusal('built-in')?.code).toBe('config_locked');
  });

  it('without a baked profile: the flag, else the import; an import beside the flag is refused, not silently ignored', async () => {
    const missingBake = join(dir, 'none.json');
    expect(await loadDesktopConfig({ argv: [`--keylaunch-config=${flagged}`], importedFile: imported, bakedFile: missingBake })).toMatchObject({ source: 'command-line', state: { mode: 'local' } });
    expect(await loadDesktopConfig({ argv: [], importedFile: imported, bakedFile: missingBake })).toMatchObject({ source: 'imported', state: { verifierUrl: custom.verifierUrl } });
    expect(importRefusal('command-line')?.message).toContain('--keylaunch-config');
    expect(importRefusal('imported')).toBeUndefined();
  });
});
