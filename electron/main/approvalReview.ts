import type { NewKeyApproval } from '../../backend/core/keys';
import type { AdminOptions } from '../../backend/core/admin';
import { describeAdminAction } from '../../backend/core/adminActions';
import type { PreparedRun } from '../../backend/core/runs';
import type { ParamValue, Run } from '../../backend/core/model';
import type { DecisionOptions } from '../../backend/core/decisions';
import { visibleText } from '../shared/visibleText';

/**
 * What a touch would approve, in words, built by main from the verifier's own reply (never from
 * anything the renderer says). The native dialog (./approvalDialog.ts) shows exactly this.
 */
export type ApprovalPurpose = 'run' | 'add_key' | 'revoke_key' | 'cancel' | 'admin' | 'approve' | 'reject';

export interface ApprovalReview {
  purpose: ApprovalPurpose;
  intentId: string;
  /** The question, e.g. "Run Echo parameters (echo)?" */
  title: string;
  /** What the touch approves, one labelled fact a line. */
  facts: { label: string; value: string }[];
  fingerprint: string;
  expiresAt: number;
}

const shown = (v: ParamValue) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
// A dialog line stays a line and says what it holds (../shared/visibleText.ts).
const oneLine = visibleText;
// A parameter's label, only as the answer gives it: a name such as `toString` is not a label every object has.
const ownLabel = (labels: Record<string, string> | undefined, name: string) => (labels && Object.hasOwn(labels, name) && typeof labels[name] === 'string' ? labels[name] : undefined);

/** Past this, a fact is shortened in the dialog (a whole inline script as the target); "Show all" shows it whole. */
export const LONG_FACT = 240;

export function runReview(prep: PreparedRun): ApprovalReview {
  // The person knows a parameter by its label; the job's own name for it follows in brackets.
  const label = (name: string) => {
    const title = ownLabel(prep.labels, name);
    return title && title !== name ? `${title} (${name})` : name;
  };
  const params = Object.entries(prep.params);
  return {
    purpose: 'run',
    intentId: prep.intentId,
    title: `Run ${prep.job.title} (${prep.job.name})?`,
    facts: [
      { label: 'Job', value: `${prep.job.title} (${prep.job.name})` },
      { label: 'Runs', value: prep.job.target },
      ...(params.length ? params.map(([name, v]) => ({ label: label(name), value: shown(v) })) : [{ label: 'Parameters', value: 'none' }]),
      { label: 'Secrets sent with it', value: prep.secretParams.length ? prep.secretParams.map(label).join(', ') : 'none' },
      ...(prep.mfaCode === 'required' ? [{ label: 'MFA code', value: 'sent with it' }] : []),
    ].map((f) => ({ label: oneLine(f.label), value: oneLine(f.value) })),
    fingerprint: prep.fingerprint,
    expiresAt: prep.expiresAt,
  };
}

/** The new key is named by the verifier's reply: the one registered, bound into the intent the touch signs. */
export function addKeyReview(o: NewKeyApproval, userName: string): ApprovalReview {
  return {
    purpose: 'add_key',
    intentId: o.intentId,
    title: `Add a security key to ${userName}?`,
    facts: [
      { label: 'Action', value: `register a new key that can unlock and approve runs as ${oneLine(userName)}` },
      { label: 'New key', value: `${oneLine(o.key.label)} (${o.key.id.slice(0, 12)}…)` },
      { label: 'Its public key (SHA-256)', value: `${o.key.publicKeySha256.slice(0, 16)}…` },
    ],
    fingerprint: o.fingerprint,
    expiresAt: o.expiresAt,
  };
}

export function revokeKeyReview(o: { intentId: string; fingerprint: string; expiresAt: number; key: { id: string; label: string } }): ApprovalReview {
  return {
    purpose: 'revoke_key',
    intentId: o.intentId,
    title: `Revoke the key “${oneLine(o.key.label)}”?`,
    facts: [{ label: 'Key', value: `${oneLine(o.key.label)} (${o.key.id.slice(0, 12)}…)` }],
    fingerprint: o.fingerprint,
    expiresAt: o.expiresAt,
  };
}

/**
 * A cancel: which run it stops, of which job, started by whom and when, and the run's own fingerprint (as
 * its page shows it), from the verifier's record of that run; the cancel intent's fingerprint is the one
 * the touch signs.
 */
export function cancelReview(o: { intentId: string; fingerprint: string; expiresAt: number; job?: { title: string } }, run: Run): ApprovalReview {
  return {
    purpose: 'cancel',
    intentId: o.intentId,
    title: `Stop the running ${oneLine(run.job)} run?`,
    facts: [
      { label: 'Action', value: 'stop this run (it ends as cancelled, with your name)' },
      { label: 'Job', value: o.job?.title ? `${o.job.title} (${run.job})` : run.job },
      { label: 'Run', value: run.id },
      { label: 'Run fingerprint', value: run.fingerprint },
      { label: 'Started by', value: `${run.userName} at ${new Date(run.createdAt).toLocaleString()}` },
      { label: 'Status now', value: run.status },
    ].map((f) => ({ label: oneLine(f.label), value: oneLine(f.value) })),
    fingerprint: o.fingerprint,
    expiresAt: o.expiresAt,
  };
}

/**
 * An admin action, in words built here from the action in the verifier's reply (the same words the
 * verifier audits), never from text the renderer or the reply's own `review` supplies.
 */
export function adminReview(o: Pick<AdminOptions, 'intentId' | 'action' | 'fingerprint' | 'expiresAt'>): ApprovalReview {
  const { title, facts } = describeAdminAction(o.action);
  return {
    purpose: 'admin',
    intentId: o.intentId,
    title: oneLine(`Admin: ${title}`),
    facts: facts.map((f) => ({ label: oneLine(f.label), value: oneLine(f.value) })),
    fingerprint: o.fingerprint,
    expiresAt: o.expiresAt,
  };
}

/**
 * A decision on someone else's pending request (issue 16): who asked (or which automation proposed it, and
 * why), the job and every parameter as it will run, who approved so far and who is still needed, from the
 * verifier's own record of the request in the options answer. The fingerprint is the request's: the code
 * its requester compared.
 */
export function decisionReview(o: DecisionOptions, decision: 'approve' | 'reject'): ApprovalReview {
  const r = o.request;
  const label = (name: string) => {
    const title = ownLabel(r.labels, name);
    return title && title !== name ? `${title} (${name})` : name;
  };
  const params = Object.entries(r.params);
  const groups = Object.entries(r.missing.groups).map(([g, n]) => `${n} from ${g}`);
  const still = r.missing.people > 0 ? `${r.missing.people} more ${r.missing.people === 1 ? 'person' : 'people'}${groups.length ? ` (${groups.join(', ')})` : ''}` : 'nobody: this decision completes it';
  const verb = decision === 'approve' ? 'Approve' : 'Reject';
  return {
    purpose: decision,
    intentId: o.intentId,
    title: oneLine(`${verb} ${r.requester.name}’s run of ${r.job.title} (${r.job.name})?`),
    facts: [
      { label: 'Action', value: decision === 'approve' ? 'approve this run with your own key (it launches on the last approval)' : 'reject this request: it ends, and nothing runs' },
      r.proposer
        ? { label: 'Proposed by', value: `${r.proposer.name} (automation), for ${r.requester.name}` }
        : { label: 'Requested by', value: r.requester.name },
      // The proposer's own words, quoted: they are a claim to judge, never a fact of the run.
      ...(r.reason !== undefined ? [{ label: 'Reason given', value: JSON.stringify(r.reason) }] : []),
      { label: 'Job', value: `${r.job.title} (${r.job.name})` },
      { label: 'Runs', value: r.job.target },
      ...(params.length ? params.map(([name, v]) => ({ label: label(name), value: shown(v) })) : [{ label: 'Parameters', value: 'none' }]),
      { label: 'Approved so far', value: r.approvals.length ? r.approvals.map((a) => a.userName).join(', ') : 'nobody yet' },
      { label: 'Still needed, counting you', value: still },
      { label: 'Request', value: r.id },
    ].map((f) => ({ label: oneLine(f.label), value: oneLine(f.value) })),
    fingerprint: o.fingerprint,
    expiresAt: o.expiresAt,
  };
}

/** A long value, cut in the middle: its start and its end stay readable (both can matter in a command). */
function shorten(value: string): string {
  if (value.length <= LONG_FACT) return value;
  const head = value.slice(0, LONG_FACT - 80);
  const tail = value.slice(-60);
  return `${head} … [${value.length - head.length - tail.length} more characters: “Show all” shows them] … ${tail}`;
}

/** True when the dialog's text shortens something, so the dialog offers "Show all". */
export const reviewIsShortened = (r: ApprovalReview) => r.facts.some((f) => f.value.length > LONG_FACT);

/**
 * The dialog's text: the facts (long ones shortened unless `full`), the fingerprint and what it is for,
 * and the time left (when it was shown).
 */
export function reviewText(r: ApprovalReview, now: number, o: { full?: boolean } = {}): { message: string; detail: string } {
  const secondsLeft = Math.max(0, Math.floor((r.expiresAt - now) / 1000));
  return {
    message: r.title,
    detail: [
      ...r.facts.map((f) => `${f.label}: ${o.full ? f.value : shorten(f.value)}`),
      '',
      `Fingerprint: ${r.fingerprint}`,
      'The same code appears in keylaunch’s window while your key blinks, and on the run record.',
      `Time left: ${secondsLeft} s (until ${new Date(r.expiresAt).toLocaleTimeString()})`,
      '',
      'Only approve if this is what you asked for. Your key will then ask for a touch.',
    ].join('\n'),
  };
}
