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
    const problem = checkValue(d, value);
    if (problem) problems[d.name] = problem;
    else out[d.name] = value as ParamValue;
  }
  if (Object.keys(problems).length > 0) {
    const summary = Object.entries(problems).map(([k, v]) => `${k}: ${v}`).join('; ');
    throw new KeylaunchError('params_invalid', `Invalid parameters: ${summary}`, { details: { fields: problems } });
  }
  return out;
}

function checkValue(d: ParamDeclaration, value: unknown): string | undefined {
  switch (d.type) {
    case 'string': {
      if (typeof value !== 'string') return 'must be a string';
      if (d.minLength !== undefined && value.length < d.minLength) return `at least ${d.minLength} characters`;
      if (value.length > d.maxLength) return `at most ${d.maxLength} characters`;
      // Anchored: a pattern describes the whole value, never a substring of it.
      if (d.pattern !== undefined && !new RegExp(`^(?:${d.pattern})$`, 'u').test(value)) return 'does not match the required pattern';
      return undefined;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (d.type === 'integer' && !Number.isSafeInteger(value)) return 'must be a whole number';
      if (d.min !== undefined && value < d.min) return `at least ${d.min}`;
      if (d.max !== undefined && value > d.max) return `at most ${d.max}`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'enum':
      return typeof value === 'string' && d.values.includes(value) ? undefined : `one of ${d.values.join(', ')}`;
  }
}
