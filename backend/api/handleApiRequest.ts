import { KeylaunchError, errorBody, isKeylaunchError, type ErrorCode } from '../core/errors';
import { describeZodError } from '../core/describeZodError';
import { timeOrderedId } from '../core/ids';
import { readSessionToken, type SessionClaims } from '../core/session';
import type { AuditFacts, RequestContext, VerifierDeps } from '../core/deps';
import type { RateLimiter } from '../core/rateLimit';
import { matchRoute } from './routes';
import { DESKTOP_VERSION_HEADER, checkDesktopVersion } from '../core/desktopVersion';

/** A request as both entry points (Lambda Function URL, local node:http) hand it over. */
export interface ApiRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>; // lower-case names
  body: string | undefined;
  /** The platform's view of the peer: never a header (docs/security.md, property 9). */
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
  /** One structured log line (JSON); in Lambda, an EMF line is also a CloudWatch metric. */
  emit: (record: Record<string, unknown>) => void;
}

/**
 * The steps that prove a key, or an invite code (160 random bits): open to a locked address, or a person
 * behind it (one office NAT, one laptop) could never unlock or enroll. Their failures still count, and
 * answer rate_limited while the address is locked.
 */
const PROVES_A_KEY = new Set(['unlock.options', 'unlock.verify', 'enroll.options', 'enroll.verify']);
/** Audited refusals are kept this long (DynamoDB TTL); accepted actions are kept. */
export const REFUSAL_RETENTION_MS = 90 * 86_400_000;
/**
 * Steps that only issue a challenge change nothing, and anyone inside the allowlist can ask for unlock
 * options in any name: kept as long as refusals, not for good. The action they lead to is kept.
 */
const CHALLENGE_ONLY = new Set(['enroll.options', 'unlock.options', 'run.prepare', 'key.add.options', 'key.add.approval', 'key.revoke.options', 'run.cancel.options', 'admin.options', 'request.approve.options', 'request.reject.options']);
/** A follower polls a run's output every few seconds: those reads are kept as long as refusals, not for good. */
// Reads that followers poll: run output (the run page), and pending requests (the desktop's request
// watcher and the requester's panel, issue 16): kept like refusals, not forever.
const POLLED = new Set(['run.output', 'requests.list', 'request.get']);
/** Refusals that are the verifier's (or a service's) failure, not the caller's: audited `failed`. */
const FAILED = new Set(['internal_error', 'storage_unavailable', 'cancel_failed']);

/**
 * The whole request path in order: allowlist, cross-site check, size, route, content type, parse,
 * session token, rate-limit gate, the core; then the outcome is audited — or, for a refusal made before
 * any identity is known, logged with a metric and nothing stored (docs/security.md, properties 11 and 12; issue 11 §2).
 * Never throws.
 */
export async function handleApiRequest(deps: ApiDeps, req: ApiRequest): Promise<ApiResponse> {
  const facts: AuditFacts = {};
  let action = `${req.method} ${req.path}`.slice(0, 120);
  let provenUser: string | undefined;
  let gate: Promise<void> | undefined;
  try {
    if (!deps.isAllowedIp(req.sourceIp)) throw new KeylaunchError('ip_not_allowed', 'Requests from this address are not allowed.');
    checkSameSite(deps, req);
    if (req.body !== undefined && Buffer.byteLength(req.body, 'utf8') > deps.config.maxBodyBytes) {
      throw new KeylaunchError('payload_too_large', `Request bodies are limited to ${deps.config.maxBodyBytes} bytes.`);
    }
    const match = matchRoute(req.method, req.path);
    if (!match.route) throw new KeylaunchError('not_found', match.pathKnown ? `${req.method} is not allowed here.` : 'No such route.');
    const { route } = match;
    action = route.action;
    checkDesktopVersion(deps.config.minDesktopVersion, req.headers[DESKTOP_VERSION_HEADER]); // the kill switch for a bad release
    if (route.method === 'POST') checkContentType(req.headers['content-type']);
    const parsed = route.input.safeParse(route.method === 'POST' ? withPathParams(parseJson(req.body), match.pathParams) : { ...req.query, ...match.pathParams });
    if (!parsed.success) throw new KeylaunchError('bad_request', `Invalid request: ${describeZodError(parsed.error)}`);

    // Issue 16 §2: `Authorization: Proposer klp.…` is a proposer token, never a session: only the proposal
    // routes read it (core/proposals.ts); every other route then finds no session.
    const proposerToken = /^Proposer (\S{1,200})$/.exec(req.headers.authorization ?? '')?.[1];
    const authorization = proposerToken ? undefined : req.headers.authorization;
    const sessionToken = bearer(authorization);
    // The token is judged after the gate exists: a forged token from a locked address is rate_limited
    // like anything else, and its refusals stop costing writes once the address is locked.
    let session: SessionClaims | undefined;
    let forged: unknown;
    try {
      session = genuineSession(deps, authorization, sessionToken);
    } catch (e) {
      forged = e;
    }
    provenUser = session?.uid;
    // A locked address is refused on every route, unless the request proves a key: a live session,
    // or the unlock ceremony itself (whose failures still count, and answer rate_limited, below).
    const exempt = forged === undefined && (PROVES_A_KEY.has(route.action) || (session !== undefined && session.exp > deps.clock.now()));
    gate = deps.rateLimiter.check({ ip: req.sourceIp, ...(provenUser ? { provenUser } : {}) }, { address: !exempt });
    gate.catch(() => undefined); // observed below and by the route; never an unhandled rejection
    if (forged !== undefined) throw forged;
    const ctx: RequestContext = { sourceIp: req.sourceIp, gate, facts, ...(session ? { session } : {}), ...(proposerToken ? { proposerToken } : {}) };
    const result = await route.run(deps, ctx, parsed.data);
    await gate; // a route that forgot its gate still cannot answer past a rate limit
    await finish(deps, req, action, 'accepted', facts);
    return { status: 200, headers: HEADERS, body: JSON.stringify(result) };
  } catch (thrown) {
    // A refusal by the gate wins over whatever the route failed with meanwhile (routes await the gate
    // alongside their first read, and that read may fail first): a locked key learns nothing more.
    const gated = gate ? await gate.then(() => undefined, (e: unknown) => e) : undefined;
    let error = isKeylaunchError(gated) ? gated : isKeylaunchError(thrown) ? thrown : unexpected(thrown);
    if (error.cause) deps.log(`${action}: ${error.code}`, error.cause);
    const counted = deps.rateLimiter.counts(error.code);
    const keys = { ip: req.sourceIp, ...(provenUser ? { provenUser } : {}) };
    const audited = error.code; // the real reason stays in the audit log even when the answer says less
    let alreadyLocked = false;
    if (counted && PROVES_A_KEY.has(action)) {
      const lockedFor = await deps.rateLimiter.addressLockedFor(req.sourceIp).catch(() => 0);
      if (lockedFor > 0) error = deps.rateLimiter.refuse(lockedFor);
      alreadyLocked = lockedFor > 0;
    }
    await Promise.all([
      finish(deps, req, action, FAILED.has(audited) ? 'failed' : 'refused', facts, audited),
      // A locked address's further failures are not written: the lock already holds, and they would
      // only let someone buy storage writes (and keep the lock on) for free.
      counted && !alreadyLocked ? deps.rateLimiter.recordFailure(keys).catch((e) => deps.log('rate limit record failed', e)) : undefined,
    ]);
    const headers: Record<string, string> = { ...HEADERS };
    if (error.code === 'rate_limited' && typeof error.details?.retryAfterSeconds === 'number') headers['retry-after'] = String(error.details.retryAfterSeconds);
    return { status: error.status, headers, body: JSON.stringify(errorBody(error)) };
  }
}

/**
 * The verifier is called by the desktop's main process, never by a web page: a browser request from
 * another origin (a "simple" cross-site POST needs no preflight) is refused before anything else.
 */
function checkSameSite(deps: ApiDeps, req: ApiRequest): void {
  const origin = req.headers.origin;
  if ((origin !== undefined && !deps.config.origins.includes(origin)) || req.headers['sec-fetch-site'] === 'cross-site') {
    throw new KeylaunchError('origin_not_allowed', 'Requests from another site are not allowed.');
  }
}

function checkContentType(header: string | undefined): void {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new KeylaunchError('unsupported_media_type', 'Request bodies must be application/json.');
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

/** A POST route's `:name` segments join its body; a body naming one with another value is refused. */
function withPathParams(body: unknown, pathParams: Record<string, string>): unknown {
  if (Object.keys(pathParams).length === 0 || typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  for (const [name, value] of Object.entries(pathParams)) {
    const given = (body as Record<string, unknown>)[name];
    if (given !== undefined && given !== value) throw new KeylaunchError('bad_request', `The body's ${name} is not the one in the path.`);
  }
  return { ...body, ...pathParams };
}

const bearer = (header: string | undefined) => /^Bearer ([A-Za-z0-9._-]{1,2000})$/.exec(header ?? '')?.[1];

/**
 * The session token's claims when its MAC is genuine (expired or not): only then does a failure count
 * against its user. A present but forged or malformed token is refused here (`session_invalid`,
 * counted against the address) on every route.
 */
function genuineSession(deps: ApiDeps, header: string | undefined, token: string | undefined): SessionClaims | undefined {
  if (header === undefined) return undefined;
  if (!token) throw new KeylaunchError('session_invalid', 'The session is not valid; unlock again.');
  return readSessionToken(Buffer.from(deps.config.sessionSecret, 'base64'), token, 0);
}

function unexpected(error: unknown): KeylaunchError {
  const storage = typeof error === 'object' && error !== null && '$metadata' in error;
  const code: ErrorCode = storage ? 'storage_unavailable' : 'internal_error';
  return new KeylaunchError(code, storage ? 'Storage is unavailable; the request did not complete.' : 'Something went wrong on the verifier.', { cause: error });
}

/**
 * One audit entry per request that concerns someone; a refusal before any identity is known (outside
 * the allowlist, malformed, no such route, cross-site, rate limited, a forged token…) is a log line and
 * a metric instead, so refusing costs no storage. Audited refusals expire; accepted actions stay.
 * Losing an entry is logged loudly; the answer already decided stands.
 */
async function finish(deps: ApiDeps, req: ApiRequest, action: string, outcome: 'accepted' | 'refused' | 'failed', facts: AuditFacts, code?: string) {
  const at = deps.clock.now();
  if (outcome === 'refused' && facts.userId === undefined && facts.userName === undefined) {
    deps.emit(refusalMetric({ at, action, code: code ?? 'unknown', sourceIp: req.sourceIp }));
    return;
  }
  // Unlock options for a name nobody holds are answered with a decoy, and anyone may ask them in any
  // name: a log line, not an audit row, so made-up names cost no storage.
  if (action === 'unlock.options' && facts.userId === undefined) {
    deps.emit({ level: 'info', message: 'unlock options for an unknown name (decoy; not audited)', action, outcome, ...(code ? { code } : {}), sourceIp: req.sourceIp, at });
    return;
  }
  const entry = {
    id: timeOrderedId('aud_', deps.clock, deps.random),
    at,
    action,
    outcome,
    sourceIp: req.sourceIp,
    ...facts,
    ...(code ? { code } : {}),
    ...(outcome === 'refused' || (outcome === 'accepted' && (CHALLENGE_ONLY.has(action) || POLLED.has(action))) ? { expiresAt: at + REFUSAL_RETENTION_MS } : {}),
  };
  try {
    await deps.store.appendAudit(entry);
  } catch (error) {
    deps.log(`AUDIT WRITE FAILED ${JSON.stringify(entry)}`, error);
  }
}

/** CloudWatch Embedded Metric Format: this log line is also the metric keylaunch/Refused{code}. */
function refusalMetric(o: { at: number; action: string; code: string; sourceIp: string }): Record<string, unknown> {
  return {
    _aws: { Timestamp: o.at, CloudWatchMetrics: [{ Namespace: 'keylaunch', Dimensions: [['code']], Metrics: [{ Name: 'Refused', Unit: 'Count' }] }] },
    level: 'info',
    message: 'refused before identification (not audited)',
    code: o.code,
    action: o.action,
    sourceIp: o.sourceIp,
    Refused: 1,
  };
}
