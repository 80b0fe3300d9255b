import type { ParamValue } from './model';

/**
 * docs/security.md, property 13: secret values never leave in a response or a record. A job may still print one;
 * every occurrence in what a launcher captured is replaced before it is stored.
 */
export function redactSecrets<T>(value: T, secrets: Record<string, ParamValue>): T {
  const needles = Object.values(secrets)
    .map(String)
    .filter((s) => s.length >= 3)
    .sort((a, b) => b.length - a.length);
  if (needles.length === 0 || value === undefined) return value;
  const scrub = (v: unknown): unknown => {
    if (typeof v === 'string') return needles.reduce((s, n) => s.split(n).join('[secret]'), v);
    if (Array.isArray(v)) return v.map(scrub);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]));
    return v;
  };
  return scrub(value) as T;
}
