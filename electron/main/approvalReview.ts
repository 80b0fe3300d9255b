import type { AddKeyOptions } from '../../backend/core/keys';
import type { PreparedRun } from '../../backend/core/runs';
import type { ParamValue } from '../../backend/core/model';

/**
 * What a touch would approve, in words, built by main from the verifier's own reply (never from
 * anything the renderer says). The native dialog (./approvalDialog.ts) shows exactly this.
 */
export type ApprovalPurpose = 'run' | 'add_key' | 'revoke_key';

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
// A dialog line stays a line: control characters from a job definition cannot forge another fact.
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');

/** Past this, a fact is shortened in the dialog (a whole inline script as the target); "Show all" shows it whole. */
export const LONG_FACT = 240;

export function runReview(prep: PreparedRun): ApprovalReview {
  // The person knows a parameter by its label; the job's own name for it follows in brackets.
  const label = (name: string) => {
    const title = prep.labels?.[name];
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

export function addKeyReview(o: AddKeyOptions, userName: string): ApprovalReview {
  return {
    purpose: 'add_key',
    intentId: o.intentId,
    title: `Add a security key to ${userName}?`,
    facts: [{ label: 'Action', value: `register a new key that can unlock and approve runs as ${oneLine(userName)}` }],
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
