import { KeylaunchError } from './errors';
import type { ParamDeclaration } from './job';
import type { ParamValue } from './model';

/**
 * Checks values against a job's declared parameters. Non-secret values come with prepare (and are
 * bound into the intent); secret values come with confirm (so they are never stored). Unknown names
 * are refused: a parameter the job does not declare is a tampered or stale request.
 */
export function validateParams(
  declared: ParamDeclaration[],
  input: Record<string, unknown>,
  which: 'plain' | 'secret',
): Record<string, ParamValue> {
  const wanted = declared.filter((d) => d.secret === (which === 'secret'));
  const problems: Record<string, string> = {};
  for (const key of Object.keys(input)) {
    if (!wanted.some((d) => d.name === key)) {
      const isOther = declared.some((d) => d.name === key);
      problems[key] = isOther
        ? which === 'plain'
          ? 'secret parameters are sent with the confirmation, not here'
          : 'not a secret parameter'
        : 'not a parameter of this job';
    }
  }
  const out: Record<string, ParamValue> = {};
  for (const d of wanted) {
    const raw = Object.hasOwn(input, d.name) ? input[d.name] : undefined;
    const value = raw === undefined || raw === '' ? d.default : raw;
    if (value === undefined) {
      if (d.required) problems[d.name] = 'required';
      continue;
    }
    const checked = checkValue(d, value);
    if (typeof checked === 'object') out[d.name] = checked.value;
    else problems[d.name] = checked;
  }
  if (Object.keys(problems).length > 0) {
    const summary = Object.entries(problems).map(([k, v]) => `${k}: ${v}`).join('; ');
    throw new KeylaunchError('params_invalid', `Invalid parameters: ${summary}`, { details: { fields: problems } });
  }
  return out;
}

/**
 * C0/C1 controls, line/paragraph separators and the bidirectional controls (Trojan Source, CVE-2021-42574):
 * characters that make a value display as something other than what it is.
 */
// Controls, bidi overrides and isolates, line and paragraph separators, and every other invisible
// format character (zero-width spaces and joiners, soft hyphen, BOM, tag characters: \p{Cf}), which
// would render identically in the review while binding different bytes.
const DECEPTIVE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** A valid value (normalized) or what is wrong with it. */
function checkValue(d: ParamDeclaration, value: unknown): { value: ParamValue } | string {
  const ok = (v: ParamValue) => ({ value: v });
  switch (d.type) {
    case 'string': {
      if (typeof value !== 'string') return 'must be a string';
      // NFC before anything else, so the value checked, shown, signed and launched is one string.
      // Secrets are passed on as typed (a password's bytes are its meaning) and are never shown.
      const text = d.secret ? value : value.normalize('NFC');
      if (d.minLength !== undefined && text.length < d.minLength) return `at least ${d.minLength} characters`;
      if (text.length > d.maxLength) return `at most ${d.maxLength} characters`;
      // Anchored: a pattern describes the whole value, never a substring of it.
      const matches = d.pattern !== undefined && anchored(d.pattern).test(text);
      if (d.pattern !== undefined && !matches) return 'does not match the required pattern';
      // Only a job whose pattern accepts the value may take such characters.
      if (!matches && DECEPTIVE.test(text)) return 'contains control or bidirectional-override characters';
      return ok(text);
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (d.type === 'integer' && !Number.isSafeInteger(value)) return 'must be a whole number';
      if (d.min !== undefined && value < d.min) return `at least ${d.min}`;
      if (d.max !== undefined && value > d.max) return `at most ${d.max}`;
      return ok(value);
    }
    case 'boolean':
      return typeof value === 'boolean' ? ok(value) : 'must be true or false';
    case 'enum': {
      // Compared in NFC, bound as the job spells it: `café` typed decomposed is still the value `café`.
      const chosen = typeof value === 'string' ? d.values.find((v) => v.normalize('NFC') === value.normalize('NFC')) : undefined;
      return chosen !== undefined ? ok(chosen) : `one of ${d.values.join(', ')}`;
    }
  }
}

/** A job's pattern as the verifier applies it: the whole value, with the `u` flag. */
export const anchored = (pattern: string) => new RegExp(`^(?:${pattern})$`, 'u');
