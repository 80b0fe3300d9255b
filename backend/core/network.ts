import { BlockList, isIP } from 'node:net';

/**
 * docs/security.md, property 9: the allowlist is judged only on the platform's source address (API Gateway's
 * requestContext.http.sourceIp, the socket locally), never on X-Forwarded-For or any other header.
 */
export function createIpAllowlist(cidrs: string[]): (sourceIp: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, bits, ...rest] = cidr.split('/');
    const family = isIP(address ?? '');
    // The prefix is plain decimal digits, nothing Number() would also accept ("", "00", "0x0", " 0", "-0").
    if (!address || family === 0 || rest.length || (bits !== undefined && !/^(0|[1-9]\d{0,2})$/.test(bits))) throw new Error(`Not a CIDR: ${cidr}`);
    const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
    if (prefix > (family === 4 ? 32 : 128)) throw new Error(`Not a CIDR: ${cidr}`);
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return (sourceIp) => {
    const ip = normalizeIp(sourceIp);
    const family = isIP(ip);
    return family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) is judged as `127.0.0.1`. */
export function normalizeIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}
