import type { z } from 'zod';
import * as s from './schemas';
import { finishEnrollment, startEnrollment } from '../core/enrollment';
import { finishUnlock, startUnlock } from '../core/unlock';
import { confirmRun, prepareRun } from '../core/runs';
import { approveNewKey, finishAddKey, finishRevokeKey, listKeys, startAddKey, startRevokeKey } from '../core/keys';
import { getRun, listAudit, listJobs, listRuns, whoAmI } from '../core/queries';
import { endSession } from '../core/endSession';
import { getRequest, listRequests } from '../core/requests';
import { loadOnFirstUse } from '../adapters/loadOnFirstUse';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../core/webauthn';
import type { RequestContext, VerifierDeps } from '../core/deps';

/**
 * Every route of the verifier, in one table (docs/api.md documents the same list). `action` names the
 * route in the audit log. POST routes read a JSON body; GET routes read the query string (and `:id`).
 */
export interface Route<S extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST';
  path: string;
  action: string;
  input: S;
  run: (deps: VerifierDeps, ctx: RequestContext, input: z.output<S>) => Promise<unknown>;
}

const route = <S extends z.ZodType>(r: Route<S>) => r as unknown as Route;

/**
 * Routes most requests never reach (administration, approvals, proposals, cancel, output) load their
 * module on first use: in the Lambda bundle each is its own chunk, off the cold start (bench (c)).
 */
const admin = loadOnFirstUse(() => import('../core/admin'));
const cancel = loadOnFirstUse(() => import('../core/cancel'));
const output = loadOnFirstUse(() => import('../core/runOutput'));
const decisions = loadOnFirstUse(() => import('../core/decisions'));
const proposals = loadOnFirstUse(() => import('../core/proposals'));
// zod's output is structurally the library's JSON type; the casts say so once, here.
const assertion = (a: unknown) => a as AuthenticationResponseJSON;
const registration = (r: unknown) => r as RegistrationResponseJSON;

export const routes: Route[] = [
  route({ method: 'POST', path: '/v1/enroll/options', action: 'enroll.options', input: s.enrollOptionsBody, run: startEnrollment }),
  route({
    method: 'POST', path: '/v1/enroll/verify', action: 'enroll.verify', input: s.enrollVerifyBody,
    run: (d, c, i) => finishEnrollment(d, c, { ...i, registration: registration(i.registration) }),
  }),
  route({ method: 'POST', path: '/v1/unlock/options', action: 'unlock.options', input: s.unlockOptionsBody, run: startUnlock }),
  route({
    method: 'POST', path: '/v1/unlock/verify', action: 'unlock.verify', input: s.unlockVerifyBody,
    run: (d, c, i) => finishUnlock(d, c, { ...i, assertion: assertion(i.assertion) }),
  }),
  route({ method: 'GET', path: '/v1/session', action: 'session.get', input: s.emptyQuery, run: (d, c) => whoAmI(d, c) }),
  route({ method: 'POST', path: '/v1/session/end', action: 'session.end', input: s.endSessionBody, run: (d, c) => endSession(d, c) }),
  route({ method: 'GET', path: '/v1/jobs', action: 'jobs.list', input: s.emptyQuery, run: (d, c) => listJobs(d, c) }),
  route({ method: 'POST', path: '/v1/runs/prepare', action: 'run.prepare', input: s.prepareRunBody, run: prepareRun }),
  route({
    method: 'POST', path: '/v1/runs/confirm', action: 'run.confirm', input: s.confirmRunBody,
    run: (d, c, i) => confirmRun(d, c, { ...i, assertion: assertion(i.assertion) }),
  }),
  route({ method: 'GET', path: '/v1/runs', action: 'runs.list', input: s.runsQuery, run: listRuns }),
  route({ method: 'GET', path: '/v1/runs/:runId', action: 'run.get', input: s.runIdQuery, run: getRun }),
  route({ method: 'GET', path: '/v1/runs/:runId/output', action: 'run.output', input: s.runOutputQuery, run: async (d, c, i) => (await output()).runOutput(d, c, i) }),
  route({ method: 'POST', path: '/v1/runs/:runId/cancel/options', action: 'run.cancel.options', input: s.cancelOptionsBody, run: async (d, c, i) => (await cancel()).startCancel(d, c, i) }),
  route({
    method: 'POST', path: '/v1/runs/:runId/cancel/verify', action: 'run.cancel', input: s.cancelVerifyBody,
    run: async (d, c, i) => (await cancel()).finishCancel(d, c, { ...i, assertion: assertion(i.assertion) }),
  }),
  route({ method: 'GET', path: '/v1/keys', action: 'keys.list', input: s.emptyQuery, run: (d, c) => listKeys(d, c) }),
  route({ method: 'POST', path: '/v1/keys/add/options', action: 'key.add.options', input: s.addKeyOptionsBody, run: (d, c) => startAddKey(d, c) }),
  route({
    method: 'POST', path: '/v1/keys/add/approval', action: 'key.add.approval', input: s.addKeyApprovalBody,
    run: (d, c, i) => approveNewKey(d, c, { ...i, registration: registration(i.registration) }),
  }),
  route({
    method: 'POST', path: '/v1/keys/add/verify', action: 'key.add.verify', input: s.addKeyVerifyBody,
    run: (d, c, i) => finishAddKey(d, c, { ...i, assertion: assertion(i.assertion) }),
  }),
  route({ method: 'POST', path: '/v1/keys/revoke/options', action: 'key.revoke.options', input: s.revokeKeyOptionsBody, run: startRevokeKey }),
  route({
    method: 'POST', path: '/v1/keys/revoke/verify', action: 'key.revoke.verify', input: s.revokeKeyVerifyBody,
    run: (d, c, i) => finishRevokeKey(d, c, { ...i, assertion: assertion(i.assertion) }),
  }),
  route({ method: 'GET', path: '/v1/admin/people', action: 'admin.people', input: s.emptyQuery, run: async (d, c) => (await admin()).listPeople(d, c) }),
  route({ method: 'POST', path: '/v1/admin/options', action: 'admin.options', input: s.adminOptionsBody, run: async (d, c, i) => (await admin()).startAdminAction(d, c, i.action) }),
  route({
    method: 'POST', path: '/v1/admin/verify', action: 'admin.verify', input: s.adminVerifyBody,
    run: async (d, c, i) => (await admin()).finishAdminAction(d, c, { ...i, assertion: assertion(i.assertion) }),
  }),
  // Issue 16: pending requests; `:requestId` comes from the path and must agree with the body's.
  route({ method: 'GET', path: '/v1/requests', action: 'requests.list', input: s.emptyQuery, run: (d, c) => listRequests(d, c) }),
  route({ method: 'GET', path: '/v1/requests/:requestId', action: 'request.get', input: s.requestIdQuery, run: getRequest }),
  ...(['approve', 'reject'] as const).flatMap((decision) => [
    route({ method: 'POST', path: `/v1/requests/:requestId/${decision}/options`, action: `request.${decision}.options`, input: s.decisionOptionsBody, run: async (d, c, i) => (await decisions()).decisionOptions(d, c, i, decision) }),
    route({
      method: 'POST', path: `/v1/requests/:requestId/${decision}/verify`, action: `request.${decision}.verify`, input: s.decisionVerifyBody,
      run: async (d, c, i) => (await decisions()).verifyDecision(d, c, { ...i, assertion: assertion(i.assertion) }, decision),
    }),
  ]),
  // Issue 16 §2: the only routes a proposer token reaches (Authorization: Proposer klp.…).
  route({ method: 'GET', path: '/v1/proposals/jobs', action: 'proposal.jobs', input: s.emptyQuery, run: async (d, c) => (await proposals()).listProposable(d, c) }),
  route({ method: 'POST', path: '/v1/proposals', action: 'proposal.create', input: s.proposalBody, run: async (d, c, i) => (await proposals()).propose(d, c, i) }),
  route({ method: 'GET', path: '/v1/proposals/:requestId', action: 'proposal.get', input: s.requestIdQuery, run: async (d, c, i) => (await proposals()).getProposal(d, c, i) }),
  route({ method: 'GET', path: '/v1/audit', action: 'audit.list', input: s.pageQuery, run: listAudit }),
];

/** The table's paths split once, not per request. */
const patterns = routes.map((r) => ({ r, pattern: r.path.split('/') }));

/** Matches a path against the table; `:name` segments become input fields. */
export function matchRoute(method: string, path: string): { route: Route; pathParams: Record<string, string> } | { route: undefined; pathKnown: boolean } {
  let pathKnown = false;
  const parts = path.split('/');
  for (const { r, pattern } of patterns) {
    if (pattern.length !== parts.length) continue;
    const pathParams: Record<string, string> = {};
    const same = pattern.every((seg, i) => {
      if (seg.startsWith(':')) return (pathParams[seg.slice(1)] = decodeURIComponentSafe(parts[i]!)) !== '';
      return seg === parts[i];
    });
    if (!same) continue;
    pathKnown = true;
    if (r.method === method) return { route: r, pathParams };
  }
  return { route: undefined, pathKnown };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}
