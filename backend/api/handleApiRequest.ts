import { KeylaunchError, errorBody, isKeylaunchError, type ErrorCode } from '../core/errors';
import { describeZodError } from '../core/job';
import { timeOrderedId } from '../core/ids';
import { readSessionToken } from '../core/session';
import type { AuditFacts, RequestContext, VerifierDeps } from '../core/deps';
import type { RateLimiter } from '../core/rateLimit';
import { matchRoute } from './routes';

/** A request as both entry points (Lambda Function URL, local node:http) hand it over. */
export interface ApiRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>; // lower-case names
  body: string | undefined;
  /** The platform's view of the peer: never a header (protocol.md §9). */
  sourceIp: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export interface ApiDeps extends VerifierDeps {
  rateLimiter: RateLimiter;
  isAllowedIp: (ip: string) => boolean;
  log: (message: string, error?: unknown) => void;
}

/**
 * The whole request path in order: allowlist, size, route, parse, rate-limit gate, the core, then one
 * audit entry for the outcome, whatever it was (protocol.md §11, §12). Never throws.
 */
export async function handleApiRequest(deps: ApiDeps, req: ApiRequest): Promise<ApiResponse> {
  const facts: AuditFacts = {};
  let action = `${req.method} ${req.path}`.slice(0, 120);
  let userKey: string | undefined;
  try {
    if (!deps.isAllowedIp(req.sourceIp)) throw new KeylaunchError('ip_not_allowed', 'Requests from this address are not allowed.');
    if (req.body !== undefined && Buffer.byteLength(req.body, 'utf8') > deps.config.maxBodyBytes) {
      throw new KeylaunchError('payload_too_large', `Request bodies are limited to ${deps.config.maxBodyBytes} bytes.`);
    }
    const match = matchRoute(req.method, req.path);
    if (!match.route) throw new KeylaunchError('not_found', match.pathKnown ? `${req.method} is not allowed here.` : 'No such route.');
    const { route } = match;
    action = route.action;
    const parsed = route.input.safeParse(route.method === 'POST' ? parseJson(req.body) : { ...req.query, ...match.pathParams });
    if (!parsed.success) throw new KeylaunchError('bad_request', `Invalid request: ${describeZodError(parsed.error)}`);

    const sessionToken = bearer(req.headers.authorization);
    userKey = route.userOf?.(parsed.data) ?? sessionUserName(deps, sessionToken);
    const gate = deps.rateLimiter.check({ ip: req.sourceIp, user: userKey });
    gate.catch(() => undefined); // observed below and by the route; never an unhandled rejection
    const ctx: RequestContext = { sourceIp: req.sourceIp, gate, facts, ...(sessionToken ? { sessionToken } : {}) };
    const result = await route.run(deps, ctx, parsed.data);
    await gate; // a route that forgot its gate still cannot answer past a rate limit
    await finish(deps, req, action, 'accepted', facts);
    return { status: 200, headers: HEADERS, body: JSON.stringify(result) };
  } catch (thrown) {
    const error = isKeylaunchError(thrown) ? thrown : unexpected(thrown);
    if (error.cause) deps.log(`${action}: ${error.code}`, error.cause);
    const counted = deps.rateLimiter.counts(error.code);
    await Promise.all([
      finish(deps, req, action, error.code === 'internal_error' || error.code === 'storage_unavailable' ? 'failed' : 'refused', facts, error.code),
      counted ? deps.rateLimiter.recordFailure({ ip: req.sourceIp, user: facts.userName ?? userKey }).catch((e) => deps.log('rate limit record failed', e)) : undefined,
    ]);
    const headers: Record<string, string> = { ...HEADERS };
    if (error.code === 'rate_limited' && typeof error.details?.retryAfterSeconds === 'number') headers['retry-after'] = String(error.details.retryAfterSeconds);
    return { status: error.status, headers, body: JSON.stringify(errorBody(error)) };
  }
}

function parseJson(body: string | undefined): unknown {
  if (body === undefined || body.trim() === '') return {};
  let named = false;
  let parsed: unknown;
  try {
    // JSON.parse keeps `__proto__` as an own key, but schemas skip it silently: refuse it, so no name a
    // request carries is ever dropped unseen (issue 11 §3). Every field of this API has a declared name.
    parsed = JSON.parse(body, (key, value: unknown) => ((named ||= key === '__proto__'), value));
  } catch {
    throw new KeylaunchError('bad_request', 'The body is not valid JSON.');
  }
  if (named) throw new KeylaunchError('bad_request', 'The body names `__proto__`, which is not a field or parameter here.');
  return parsed;
}

const bearer = (header: string | undefined) => /^Bearer ([A-Za-z0-9._-]{1,2000})$/.exec(header ?? '')?.[1];

/** The rate-limit key for a session's user, if its token is genuine (expired still counts). */
function sessionUserName(deps: ApiDeps, token: string | undefined): string | undefined {
  if (!token) return undefined;
  try {
    return readSessionToken(Buffer.from(deps.config.sessionSecret, 'base64'), token, 0).name;
  } catch {
    return undefined;
  }
}

function unexpected(error: unknown): KeylaunchError {
  const storage = typeof error === 'object' && error !== null && '$metadata' in error;
  const code: ErrorCode = storage ? 'storage_unavailable' : 'internal_error';
  return new KeylaunchError(code, storage ? 'Storage is unavailable; the request did not complete.' : 'Something went wrong on the verifier.', { cause: error });
}

/** One audit entry per request. Losing it is logged loudly; the answer already decided stands. */
async function finish(deps: ApiDeps, req: ApiRequest, action: string, outcome: 'accepted' | 'refused' | 'failed', facts: AuditFacts, code?: string) {
  const entry = { id: timeOrderedId('aud_', deps.clock, deps.random), at: deps.clock.now(), action, outcome, sourceIp: req.sourceIp, ...facts, ...(code ? { code } : {}) };
  try {
    await deps.store.appendAudit(entry);
  } catch (error) {
    deps.log(`AUDIT WRITE FAILED ${JSON.stringify(entry)}`, error);
  }
}
