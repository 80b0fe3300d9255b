import { looksLikeProposerToken } from '../core/proposers';
import type { ProposableJob, ProposalView } from '../core/proposals';
import type { RunStatus } from '../core/model';

/**
 * The proposer's side of the verifier (issue 16 §2), for `npm run propose` and `npm run mcp`: three
 * calls, each with `Authorization: Proposer <token>`. It holds no session and can do nothing else.
 */
export interface Proposal {
  request: ProposalView;
  run?: { id: string; status: RunStatus; failure?: { code: string }; createdAt: number; updatedAt: number };
}

export class ProposerCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ProposerClient {
  listJobs(): Promise<ProposableJob[]>;
  propose(job: string, params: Record<string, string | number | boolean>, reason: string): Promise<Proposal>;
  get(requestId: string): Promise<Proposal>;
}

/** From KEYLAUNCH_URL (the verifier's address) and KEYLAUNCH_PROPOSER_TOKEN; `undefined` names what is missing. */
export function proposerSettings(env: NodeJS.ProcessEnv): { url: string; token: string } | { missing: string } {
  const url = env.KEYLAUNCH_URL?.trim();
  const token = env.KEYLAUNCH_PROPOSER_TOKEN?.trim();
  if (!url) return { missing: 'KEYLAUNCH_URL (the verifier’s address, e.g. http://127.0.0.1:8787)' };
  if (!/^https?:\/\/[^\s/]+(\/.*)?$/.test(url)) return { missing: `KEYLAUNCH_URL as an http(s) address, not "${url}"` };
  if (!token) return { missing: 'KEYLAUNCH_PROPOSER_TOKEN (from `npm run admin -- proposer <name> --jobs …`)' };
  // A token pasted with a stray character would otherwise reach fetch, whose error quotes the header (the secret).
  if (!looksLikeProposerToken(token)) return { missing: 'KEYLAUNCH_PROPOSER_TOKEN as printed by `npm run admin -- proposer` (klp.<id>.<secret>); the value set is not one' };
  return { url: url.replace(/\/+$/, ''), token };
}

export function proposerClient(o: { url: string; token: string }): ProposerClient {
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(o.url + path, {
        method,
        headers: { authorization: `Proposer ${o.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      throw new ProposerCallError('unreachable', `The verifier at ${o.url} did not answer (${(e as Error).message}).`, 0);
    }
    let text: string;
    try {
      text = await res.text(); // the connection may drop after the headers: as unreachable, not a bug
    } catch (e) {
      throw new ProposerCallError('unreachable', `The verifier at ${o.url} stopped answering mid-way (${(e as Error).message}).`, res.status);
    }
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProposerCallError('bad_answer', `The verifier answered ${res.status} with something that is not JSON.`, res.status);
    }
    if (!res.ok) throw new ProposerCallError(String(json?.error?.code ?? 'error'), String(json?.error?.message ?? `HTTP ${res.status}`), res.status);
    return json as T;
  }
  return {
    listJobs: async () => (await call<{ jobs: ProposableJob[] }>('GET', '/v1/proposals/jobs')).jobs,
    propose: (job, params, reason) => call<Proposal>('POST', '/v1/proposals', { job, params, reason }),
    get: (requestId) => call<Proposal>('GET', `/v1/proposals/${encodeURIComponent(requestId)}`),
  };
}

/** `key=value` words as a job's parameters, typed by its declaration (the verifier checks them again). */
export function paramsFromWords(words: string[], job: ProposableJob | undefined): Record<string, string | number | boolean> {
  const params: Record<string, string | number | boolean> = {};
  for (const word of words) {
    const at = word.indexOf('=');
    if (at < 1) throw new Error(`"${word}" is not key=value`);
    const name = word.slice(0, at);
    const value = word.slice(at + 1);
    const type = job?.params.find((p) => p.name === name)?.type;
    if ((type === 'integer' || type === 'number') && value.trim() !== '' && Number.isFinite(Number(value))) params[name] = Number(value);
    else if (type === 'boolean' && (value === 'true' || value === 'false')) params[name] = value === 'true';
    else params[name] = value;
  }
  return params;
}
