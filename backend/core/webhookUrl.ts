import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Issue 16 §3: a webhook URL is hostile input (docs/notifications.md, "Where a webhook may point"). The
 * verifier runs inside someone's network: a URL naming the instance metadata service or a private address
 * would make it a request forger. Checked where the URL is given (deploy settings, local config), again
 * when the verifier starts, and the address a name resolves to is checked again at connect time
 * (`addressProblem`), so a public name that resolves to a private address is refused too.
 *
 * `local`: local mode, where http to this machine's loopback is allowed (a receiver on 127.0.0.1).
 */
export type WebhookMode = 'aws' | 'local';

/** Host names that are the cloud's metadata service or internal-only, whatever they resolve to. */
const INTERNAL_NAME = /(^|\.)(internal|local|localdomain|home\.arpa)$|^instance-data(\.|$)|^metadata(\.|$)/;
const LOOPBACK_NAME = /(^|\.)localhost$/;

/** Why `value` may not be a webhook URL, or undefined when it may. */
export function webhookUrlProblem(value: string, mode: WebhookMode): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a URL';
  }
  if (url.username || url.password) return 'must not carry credentials (user:password@): the body is signed instead';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
  // The WHATWG parser has already turned 0x7f.1, 2130706433 and the like into dotted IPv4.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const loopback = isIP(host) ? rangeOf(host) === 'loopback' : LOOPBACK_NAME.test(host);
  if (url.protocol === 'http:' && !(mode === 'local' && loopback)) return mode === 'local' ? 'must be https (http only to 127.0.0.1, ::1 or localhost)' : 'must be https';
  if (loopback) return mode === 'local' ? undefined : 'must not name this machine (loopback)';
  if (isIP(host)) return addressProblem(host, mode);
  if (!host.includes('.')) return 'must name a host by its full DNS name';
  if (INTERNAL_NAME.test(host)) return 'must not name an internal or metadata host';
  return undefined;
}

/** Why a webhook may not connect to `address` (a resolved or literal IP), or undefined when it may. */
export function addressProblem(address: string, mode: WebhookMode): string | undefined {
  const range = rangeOf(address);
  if (range === 'unicast') return undefined;
  if (range === 'loopback' && mode === 'local') return undefined;
  return `must not name a ${range} address (${address})`;
}

/** ipaddr.js's name for the address's range; an IPv4-mapped IPv6 address is judged as the IPv4 address. */
function rangeOf(address: string): string {
  if (!ipaddr.isValid(address)) return 'invalid';
  return ipaddr.process(address).range();
}
