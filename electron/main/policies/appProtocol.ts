import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

/**
 * Serves the bundled renderer at the app origin, from inside the app, through `protocol.handle` on the
 * app's session (docs/architecture.md "Origins and rpId"). Every response carries the CSP. Anything that is not a GET
 * for a file of the bundle under the app origin is refused.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "worker-src 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

const headers = (type: string) => ({
  'content-type': type,
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
});

export function createAppRequestHandler(o: { appOrigin: string; rendererDir: string; read?: (file: string) => Promise<Buffer> }) {
  const root = normalize(o.rendererDir + sep);
  const read = o.read ?? ((file: string) => readFile(file));
  const refuse = (status: number) => new Response(null, { status, headers: headers('text/plain') });

  return async (request: { url: string; method: string }): Promise<Response> => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refuse(400);
    }
    if (url.origin !== o.appOrigin) return refuse(403);
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return refuse(400);
    }
    // A single-page app: extension-less paths are the app itself.
    const relative = path === '/' || extname(path) === '' ? 'index.html' : path.replace(/^\/+/, '');
    const file = normalize(join(root, relative));
    if (!file.startsWith(root) || relative.includes('\0')) return refuse(403);
    const type = TYPES[extname(file)];
    if (!type) return refuse(404);
    try {
      const body = await read(file);
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers: headers(type) });
    } catch {
      return refuse(404);
    }
  };
}
