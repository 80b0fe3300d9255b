import { parse } from 'tldts';

/**
 * The app's WebAuthn origin and rpId, by construction (docs/security.md, property 3: phishing resistance): the origin
 * that asks for a signature is the origin whose server answers, as in a browser. A config file names
 * the verifier; it cannot name another origin, and its rpId must be the verifier's host or a parent of
 * it inside the host's registrable domain (public suffix list, private section included, via tldts), so
 * a hostile file can only point the app at a server the attacker really holds.
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export const isLoopbackHost = (host: string) => LOOPBACK_HOSTS.has(host);

/** Plain path segments only: no empty segment (`//`), no dot segment, no backslash or escapes. */
const VERIFIER_PATH = /^(\/[A-Za-z0-9_-]+)*\/?$/;

export type OriginRuling = { ok: true; appOrigin: string; mode: 'local' | 'remote' } | { ok: false; field: 'verifierUrl' | 'rpId'; reason: string };

/** The app origin for a verifier URL: its own origin (https), or http://localhost:<port> for a loopback verifier. */
export function appOriginFor(verifierUrl: URL): OriginRuling {
  if (verifierUrl.username || verifierUrl.password) return { ok: false, field: 'verifierUrl', reason: 'must not carry a user name or password' };
  if (verifierUrl.search || verifierUrl.hash) return { ok: false, field: 'verifierUrl', reason: 'must not carry a query or fragment' };
  // A path is a stage name (`/live`), nothing else: `//host`, `/..//host` or `/\host` would make request
  // URLs resolve to another server than the origin the app runs at (and the key signs for).
  if (!VERIFIER_PATH.test(verifierUrl.pathname)) return { ok: false, field: 'verifierUrl', reason: 'its path may only be a stage name such as /live (letters, digits, - and _ in plain segments)' };
  if (verifierUrl.protocol === 'http:' && isLoopbackHost(verifierUrl.hostname)) {
    // Local mode: WebAuthn needs a secure context and a domain rpId, so the app runs at localhost on the verifier's port.
    return { ok: true, appOrigin: `http://localhost${verifierUrl.port ? `:${verifierUrl.port}` : ''}`, mode: 'local' };
  }
  if (verifierUrl.protocol !== 'https:') return { ok: false, field: 'verifierUrl', reason: 'must be https (http only to 127.0.0.1 or localhost in local mode)' };
  if (parse(verifierUrl.hostname).isIp) return { ok: false, field: 'verifierUrl', reason: 'must name the verifier by a domain name, not an IP address (WebAuthn needs a domain)' };
  return { ok: true, appOrigin: verifierUrl.origin, mode: 'remote' };
}

/** Why `rpId` may not be used with the app at `host`, or undefined when it may. */
export function rpIdProblem(host: string, rpId: string): string | undefined {
  if (rpId !== rpId.toLowerCase() || rpId.endsWith('.')) return 'must be a lower-case domain name without a trailing dot';
  if (isLoopbackHost(host)) return rpId === 'localhost' ? undefined : 'must be "localhost" in local mode';
  if (host !== rpId && !host.endsWith(`.${rpId}`)) return `must be the verifier's host (${host}) or a parent domain of it`;
  const registrable = parse(host, { allowPrivateDomains: true }).domain;
  if (!registrable) return `the verifier's host ${host} is itself a public suffix`;
  if (rpId !== registrable && !rpId.endsWith(`.${registrable}`)) {
    return `${rpId} is a public suffix (anyone can hold a domain under it); use ${host} or a parent inside ${registrable}`;
  }
  return undefined;
}
