import { expect } from 'vitest';
import { ORIGIN, type ApiResult, type Harness } from './harness';
import { SoftAuthenticator } from './softAuthenticator';
import { sampleJobs } from './sampleJobs';
import type { Role } from '../../backend/core/model';

/** Jobs with `approvals` (issue 16 §1), beside the sample jobs. Each prints its parameters when it runs. */
const node = process.execPath;
const echo = (name: string, approvals: Record<string, unknown>, allow: Role[] = ['admin', 'operator']) => ({
  name,
  title: `Two-person ${name}`,
  type: 'local',
  params: [{ name: 'message', type: 'string', required: true, maxLength: 100 }],
  allow: { roles: allow },
  approvals,
  target: { argv: [node, '-e', 'console.log(process.argv[1])', '{{message}}'], timeoutSeconds: 20 },
});

export const approvalJobs = [
  ...sampleJobs,
  /** The requester's touch counts: one more person launches it. */
  echo('pair', { min: 2, requesterCounts: true, ttl: 600 }),
  /** Two people other than the requester. */
  echo('two-others', { min: 2, ttl: 600 }),
  /** The requester and two more. */
  echo('three', { min: 3, requesterCounts: true, ttl: 600 }),
  /** Any one other person: the first approval is the last. */
  echo('one-other', { min: 1, ttl: 600 }),
  /** Run by admins; one approver from sre and one from security (operators qualify by group only). */
  echo('sre-and-security', { min: 2, groups: { sre: 1, security: 1 }, ttl: 600 }, ['admin']),
];

export interface Person {
  name: string;
  userId: string;
  credentialId: string;
  authenticator: SoftAuthenticator;
  token: string;
}

export function approvalHelpers(h: Harness) {
  async function person(o: { role?: Role; groups?: string[] } = {}): Promise<Person> {
    const user = await h.enroll({ role: o.role ?? 'operator' });
    if (o.groups) await h.store.setUserGroups(user.userId, o.groups);
    return { ...user, token: await h.session(user) };
  }

  /** A second key for the same person (the add-key ceremony), as a separate authenticator. */
  async function secondKey(p: Person): Promise<SoftAuthenticator> {
    const backup = new SoftAuthenticator(ORIGIN);
    // The new key registers first; a touch of the existing key then approves exactly that key.
    const options = await h.api('POST', '/v1/keys/add/options', {}, p.token);
    const registration = backup.register(options.body.registration);
    const approval = await h.api('POST', '/v1/keys/add/approval', { intentId: options.body.intentId, registration, label: 'backup' }, p.token);
    const assertion = p.authenticator.assert(approval.body.approval);
    const res = await h.api('POST', '/v1/keys/add/verify', { intentId: approval.body.intentId, assertion }, p.token);
    expect(res.status).toBe(200);
    return backup;
  }

  /** prepare + the requester's touch: for a job with approvals, confirm answers a pending request. */
  async function request(p: Person, job: string, message = 'hello') {
    const prep = await h.api('POST', '/v1/runs/prepare', { job, params: { message } }, p.token);
    expect(prep.status).toBe(200);
    const res = await h.api('POST', '/v1/runs/confirm', { intentId: prep.body.intentId, assertion: p.authenticator.assert(prep.body.options) }, p.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.run).toBeUndefined();
    return { request: res.body.request, prep };
  }

  const options = (p: Person, requestId: string, decision: 'approve' | 'reject' = 'approve') => h.api('POST', `/v1/requests/${requestId}/${decision}/options`, {}, p.token);

  function verify(p: Person, requestId: string, opts: ApiResult, o: { decision?: 'approve' | 'reject'; authenticator?: SoftAuthenticator; intentId?: string } = {}) {
    const assertion = (o.authenticator ?? p.authenticator).assert(opts.body.options);
    return h.api('POST', `/v1/requests/${requestId}/${o.decision ?? 'approve'}/verify`, { intentId: o.intentId ?? opts.body.intentId, assertion }, p.token);
  }

  /** Options, a touch, verify. */
  async function decide(p: Person, requestId: string, decision: 'approve' | 'reject' = 'approve') {
    const opts = await options(p, requestId, decision);
    if (opts.status !== 200) return opts;
    return verify(p, requestId, opts, { decision });
  }

  const stored = async (requestId: string) => (await h.store.getRequest(requestId))!;
  const launches = () => h.launcher.launches.length;
  return { person, secondKey, request, options, verify, decide, stored, launches };
}
