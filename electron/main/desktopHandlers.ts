import type { CancelOptions, Decision, DesktopMethod, DecisionOptions, DesktopApi, DesktopError, DesktopResult, DesktopStatus, RequestLists, RunOutput } from '../shared/desktopApi';
import type { DesktopConfig } from './desktopConfig';
import type { SessionHolder } from './sessionHolder';
import type { VerifierClient, VerifierReply } from './verifierClient';
import type { ApprovalGate, ReviewOutcome } from './approvalGate';
import { decisionAnswerProblem } from './decisionAnswer';
import { addKeyReview, adminReview, cancelReview, decisionReview, revokeKeyReview, runReview, type ApprovalPurpose, type ApprovalReview } from './approvalReview';
import type { AddKeyOptions, NewKeyApproval } from '../../backend/core/keys';
import type { AdminOptions } from '../../backend/core/admin';
import type { PreparedRun } from '../../backend/core/runs';
import type { RequestView } from '../../backend/core/requestViews';
import type { Run } from '../../backend/core/model';
import type { RequestOptions } from '../../backend/core/webauthn';

/**
 * The main process's implementation of DesktopApi, over the verifier client and the in-memory session.
 * No Electron imports: main.ts wires it to IPC, and the end-to-end tests call the very same handlers
 * through Playwright's exposeBinding (only the IPC transport differs).
 */
export interface HandlerDeps {
  /** The current config and its client; undefined until a valid config is loaded or imported. */
  current(): { config: DesktopConfig; client: VerifierClient } | undefined;
  configState(): DesktopStatus['config'];
  /** Shows the file dialog and imports; a refusal (e.g. a build with a baked profile) comes back as an error. */
  importConfig(): Promise<DesktopError | undefined>;
  session: SessionHolder;
  /** The trusted review: what a touch approves, shown by main, accepted by the person (./approvalGate.ts). */
  approvals: ApprovalGate;
  /** Called when a touch is about to be asked for (main shows a notification if the window is not focused). */
  touchExpected(what: string): void;
  openExternal(url: string): Promise<boolean>;
  /** A run this person launched from this app: main watches it to say when it ends (./runWatcher.ts). */
  runStarted?(run: Run): void;
  /** The session just unlocked, or a decision just changed what waits: main's request watcher reads now (./requestWatcher.ts). */
  requestsChanged?(): void;
  /** The system clipboard, and a save dialog that writes the text where the person chose (false: cancelled). */
  copyText?(text: string): Promise<boolean>;
  saveText?(defaultName: string, text: string): Promise<boolean>;
}

type Handlers = Pick<DesktopApi, DesktopMethod>;
type RevokeOptions = { intentId: string; approval: RequestOptions; fingerprint: string; expiresAt: number; key: { id: string; label: string } };

const failure = (code: string, message: string): { ok: false; error: DesktopError } => ({ ok: false, error: { code, message } });
/**
 * A confirmation answered with one of these may have launched: no answer (timeout, network), or the
 * verifier failed after recording the run (docs/api.md: "nothing was launched unless a run says so").
 */
const MAY_HAVE_LAUNCHED = new Set(['verifier_unreachable', 'storage_unavailable', 'internal_error']);
/** Verifier codes that mean the session is over: the desktop drops its token. */
const SESSION_OVER = new Set(['session_expired', 'session_invalid', 'credential_revoked', 'credential_suspended', 'user_disabled']);

export function createDesktopHandlers(deps: HandlerDeps): Handlers {
  const status = (): DesktopStatus => ({ config: deps.configState(), session: deps.session.state() });

  /** `session: 'passive'`: a read the person did not just ask for (polling); it does not hold off the idle lock. */
  async function call<T>(method: 'GET' | 'POST', path: string, o: { body?: unknown; session?: boolean | 'passive' } = {}): Promise<DesktopResult<T>> {
    const current = deps.current();
    if (!current) return failure('config_missing', 'Import a desktop config first.');
    let token: string | undefined;
    if (o.session) {
      token = o.session === 'passive' ? deps.session.peek() : deps.session.use();
      if (!token) return failure('locked', 'Locked: touch your security key to unlock.');
    }
    const reply: VerifierReply<T> = await current.client.call<T>(method, path, { body: o.body, token });
    if (!reply.ok && SESSION_OVER.has(reply.error.code)) deps.session.lock('ended');
    return reply;
  }

  const expectTouch = <T>(what: string, result: DesktopResult<T>) => {
    if (result.ok) deps.touchExpected(what);
    return result;
  };

  /** The verifier's options reach the renderer only once the person accepted main's review of them. */
  async function afterReview<T>(result: DesktopResult<T>, review: (value: T) => ApprovalReview, what: string): Promise<DesktopResult<T>> {
    if (!result.ok) return result;
    // An answer that arrives after the app locked opens no dialog over it (a lock during the dialog is the gate's).
    if (!deps.session.state()) return failure('locked', 'Locked: touch your security key to unlock.');
    const outcome: ReviewOutcome = await deps.approvals.review(review(result.value));
    if (outcome === 'accepted') return expectTouch(what, result);
    if (outcome === 'declined') return failure('approval_declined', 'You declined it in keylaunch’s review; nothing was approved.');
    if (outcome === 'expired') return failure('challenge_expired', 'The request ran out while the review was open; start again.');
    return failure('approval_pending', 'Another approval is waiting for your answer.');
  }

  /** A confirmation goes out only for the intent main showed and the person accepted; else nothing is sent. */
  const unlessAccepted = (purpose: ApprovalPurpose, intentId: string) =>
    deps.approvals.take(purpose, intentId) ? undefined : failure('approval_not_accepted', 'keylaunch did not show you this request, or you did not accept it; nothing was sent.');

  /** The request and decision each accepted decision review was about: nothing else can be sent with it. */
  const decisionTargets = new Map<string, { requestId: string; decision: Decision }>();

  /** The run each accepted cancel review was about: the cancel goes to that run, whatever the renderer says later. */
  const cancelTargets = new Map<string, string>();

  // A confirmation answers a run, or (a job needing more approvals, issue 16) a pending request: only a run is watched.
  const started = <T extends { run: Run } | { request: RequestView }>(reply: DesktopResult<T>) => {
    if (reply.ok && 'run' in reply.value) deps.runStarted?.(reply.value.run);
    return reply;
  };

  /** The run a confirmation launched, asked by its intent (a read: it cannot launch anything). */
  async function runOfIntent(intentId: string): Promise<DesktopResult<{ run: Run }>> {
    const found = await call<{ runs: Run[] }>('GET', `/v1/runs?intentId=${encodeURIComponent(intentId)}`, { session: true });
    const run = found.ok ? found.value.runs[0] : undefined;
    if (run) return { ok: true, value: { run } };
    return failure(
      'run_outcome_unknown',
      found.ok
        ? 'The verifier did not answer, and no run from this approval is recorded yet. It may still start: check again before running the job again.'
        : 'The verifier did not answer, so keylaunch cannot tell whether the job started. Check again before running the job again.',
    );
  }

  return {
    status: async () => ({ ok: true, value: status() }),
    importConfig: async () => {
      const refused = await deps.importConfig();
      return refused ? { ok: false, error: refused } : { ok: true, value: status() };
    },

    startEnrollment: async (input) => expectTouch('enroll your key', await call('POST', '/v1/enroll/options', { body: input })),
    finishEnrollment: async (input) => call('POST', '/v1/enroll/verify', { body: input }),

    startUnlock: async () => {
      const current = deps.current();
      if (!current) return failure('config_missing', 'Import a desktop config first.');
      return expectTouch('unlock', await call('POST', '/v1/unlock/options', { body: { userName: current.config.userName } }));
    },
    finishUnlock: async (input) => {
      const r = await call<{ session: { token: string; expiresAt: number }; user: { id: string; name: string; role: 'admin' | 'operator' } }>('POST', '/v1/unlock/verify', { body: input });
      if (!r.ok) return r;
      deps.session.set(r.value.session.token, r.value.user, r.value.session.expiresAt);
      deps.requestsChanged?.();
      return { ok: true, value: deps.session.state()! };
    },
    lock: async () => {
      deps.approvals.clear();
      deps.session.lock('manual');
      return { ok: true, value: null };
    },

    activity: async () => ({ ok: true, value: deps.session.activity() }),

    listJobs: async () => call('GET', '/v1/jobs', { session: true }),
    prepareRun: async (input) => afterReview(await call<PreparedRun>('POST', '/v1/runs/prepare', { body: input, session: true }), runReview, `run ${input.job}`),
    confirmRun: async (input) => {
      const refused = unlessAccepted('run', input.intentId);
      if (refused) return refused;
      const reply = await call<{ run: Run } | { request: RequestView }>('POST', '/v1/runs/confirm', { body: input, session: true });
      if (reply.ok || !MAY_HAVE_LAUNCHED.has(reply.error.code)) return started(reply);
      // The approval may have launched: never send it again (the gate has spent it anyway); ask what it became.
      return started(await runOfIntent(input.intentId));
    },
    listRuns: async (input) => {
      const q = new URLSearchParams();
      if (input.limit) q.set('limit', String(input.limit));
      if (input.cursor) q.set('cursor', input.cursor);
      if (input.intentId) q.set('intentId', input.intentId);
      return call('GET', `/v1/runs${q.size ? `?${q}` : ''}`, { session: true });
    },
    // Reads the run page polls: passive, so following a run never keeps an unattended app unlocked.
    getRun: async (input) => call('GET', `/v1/runs/${encodeURIComponent(input.runId)}`, { session: 'passive' }),
    runOutput: async (input) => {
      const q = new URLSearchParams();
      if (input.cursor) q.set('cursor', input.cursor);
      if (input.limit) q.set('limit', String(input.limit));
      return call<RunOutput>('GET', `/v1/runs/${encodeURIComponent(input.runId)}/output${q.size ? `?${q}` : ''}`, { session: 'passive' });
    },
    startCancelRun: async (input) => {
      const path = `/v1/runs/${encodeURIComponent(input.runId)}`;
      // What the review shows comes from the verifier's own record of the run, fetched by main.
      const run = await call<{ run: Run }>('GET', path, { session: true });
      if (!run.ok) return run;
      const options = await call<CancelOptions>('POST', `${path}/cancel/options`, { body: {}, session: true });
      const reviewed = await afterReview(options, (o) => cancelReview(o, run.value.run), `stop a run of ${run.value.run.job}`);
      // One acceptance at a time, as in the gate: a newer review replaces the older one's target.
      cancelTargets.clear();
      if (reviewed.ok) cancelTargets.set(reviewed.value.intentId, run.value.run.id);
      return reviewed;
    },
    finishCancelRun: async (input) => {
      const runId = cancelTargets.get(input.intentId);
      const refused = unlessAccepted('cancel', input.intentId);
      if (refused || !runId) return refused ?? failure('approval_not_accepted', 'keylaunch did not show you this request; nothing was sent.');
      cancelTargets.delete(input.intentId);
      return call('POST', `/v1/runs/${encodeURIComponent(runId)}/cancel/verify`, { body: input, session: true });
    },
    copyText: async (input) => (deps.copyText ? { ok: true, value: await deps.copyText(input.text) } : failure('bad_request', 'No clipboard here.')),
    saveOutput: async (input) => (deps.saveText ? { ok: true, value: await deps.saveText(`${input.runId}.log`, input.text) } : failure('bad_request', 'Saving is not available here.')),

    listKeys: async () => call('GET', '/v1/keys', { session: true }),
    startAddKey: async () => expectTouch('register the new key', await call<AddKeyOptions>('POST', '/v1/keys/add/options', { body: {}, session: true })),
    // The review names the very key the verifier registered and bound into the intent the touch approves.
    approveNewKey: async (input) =>
      afterReview(await call<NewKeyApproval>('POST', '/v1/keys/add/approval', { body: input, session: true }), (o) => addKeyReview(o, deps.session.state()?.user.name ?? 'you'), 'add a key'),
    finishAddKey: async (input) => unlessAccepted('add_key', input.intentId) ?? call('POST', '/v1/keys/add/verify', { body: input, session: true }),
    startRevokeKey: async (input) => afterReview(await call<RevokeOptions>('POST', '/v1/keys/revoke/options', { body: input, session: true }), revokeKeyReview, 'revoke a key'),
    finishRevokeKey: async (input) => unlessAccepted('revoke_key', input.intentId) ?? call('POST', '/v1/keys/revoke/verify', { body: input, session: true }),

    listPeople: async () => call('GET', '/v1/admin/people', { session: true }),
    startAdminAction: async (input) => afterReview(await call<AdminOptions>('POST', '/v1/admin/options', { body: input, session: true }), adminReview, 'approve an admin action'),
    finishAdminAction: async (input) => unlessAccepted('admin', input.intentId) ?? call('POST', '/v1/admin/verify', { body: input, session: true }),
    listAudit: async (input) => {
      const q = new URLSearchParams();
      if (input.limit) q.set('limit', String(input.limit));
      if (input.cursor) q.set('cursor', input.cursor);
      return call('GET', `/v1/audit${q.size ? `?${q}` : ''}`, { session: true });
    },

    // Issue 16: the "Waiting for you" list, and decisions on a request reviewed by main like a run.
    // Reads that are polled (main's watcher, the list screen): passive, like following a run.
    listRequests: async () => call<RequestLists>('GET', '/v1/requests', { session: 'passive' }),
    getRequest: async (input) => call('GET', `/v1/requests/${encodeURIComponent(input.requestId)}`, { session: 'passive' }),
    startDecision: async (input) => {
      const path = `/v1/requests/${encodeURIComponent(input.requestId)}/${input.decision}`;
      // The review is built from the verifier's own record of the request, in its options answer.
      const options = await call<DecisionOptions>('POST', `${path}/options`, { body: {}, session: true });
      const problem = options.ok ? decisionAnswerProblem(options.value, input.requestId) : undefined;
      if (problem) return failure('bad_request', problem);
      const reviewed = await afterReview(options, (o) => decisionReview(o, input.decision), `${input.decision} a request`);
      decisionTargets.clear();
      if (reviewed.ok) decisionTargets.set(reviewed.value.intentId, { requestId: input.requestId, decision: input.decision });
      return reviewed;
    },
    finishDecision: async (input) => {
      // Only the reviewed decision on the reviewed request: a renderer asking to approve B after A was shown gets nothing sent.
      const target = decisionTargets.get(input.intentId);
      if (!target || target.requestId !== input.requestId || target.decision !== input.decision) {
        return failure('approval_not_accepted', 'keylaunch did not show you this decision on this request; nothing was sent.');
      }
      const refused = unlessAccepted(input.decision, input.intentId);
      if (refused) return refused;
      decisionTargets.delete(input.intentId);
      const path = `/v1/requests/${encodeURIComponent(target.requestId)}/${target.decision}/verify`;
      const reply = await call<{ request: RequestView; run?: Run }>('POST', path, { body: { requestId: target.requestId, intentId: input.intentId, assertion: input.assertion }, session: true });
      // The last approval launched it: this desktop's touch did, so its end is announced here as for a confirm.
      if (reply.ok && reply.value.run) deps.runStarted?.(reply.value.run);
      deps.requestsChanged?.();
      return reply;
    },

    openExternal: async (input) => ({ ok: true, value: await deps.openExternal(input.url) }),
  };
}
