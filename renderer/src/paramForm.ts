import type { ParamDeclaration } from '../../backend/core/job';

/**
 * The form a job's declared parameters make: what the person typed (strings), checked as the verifier
 * will check it, and turned into typed values. The verifier checks again; this only makes mistakes
 * visible before a touch is asked for.
 */
export type FormValues = Record<string, string | boolean>;
export type ParamValue = string | number | boolean;

export function initialValues(params: ParamDeclaration[]): FormValues {
  return Object.fromEntries(params.map((p) => [p.name, p.type === 'boolean' ? (p.default ?? false) : p.default !== undefined ? String(p.default) : '']));
}

export function validateForm(params: ParamDeclaration[], values: FormValues): { errors: Record<string, string>; params: Record<string, ParamValue>; secrets: Record<string, ParamValue> } {
  const errors: Record<string, string> = {};
  const plain: Record<string, ParamValue> = {};
  const secrets: Record<string, ParamValue> = {};
  for (const p of params) {
    const raw = values[p.name];
    const target = p.secret ? secrets : plain;
    if (p.type === 'boolean') {
      target[p.name] = raw === true;
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (text === '') {
      if (p.required) errors[p.name] = 'Required.';
      continue;
    }
    const problem = check(p, text);
    if (problem) errors[p.name] = problem;
    else target[p.name] = p.type === 'integer' || p.type === 'number' ? Number(text) : text;
  }
  return { errors, params: plain, secrets };
}

function check(p: ParamDeclaration, text: string): string | undefined {
  switch (p.type) {
    case 'string':
      if (p.minLength !== undefined && text.length < p.minLength) return `At least ${p.minLength} characters.`;
      if (text.length > p.maxLength) return `At most ${p.maxLength} characters.`;
      if (p.pattern !== undefined && !new RegExp(`^(?:${p.pattern})$`, 'u').test(text)) return `Must match the form ${p.pattern}${p.description ? ` (${p.description})` : ''}.`;
      return undefined;
    case 'integer':
    case 'number': {
      const n = Number(text);
      if (!Number.isFinite(n)) return 'A number.';
      if (p.type === 'integer' && !Number.isInteger(n)) return 'A whole number.';
      if (p.min !== undefined && n < p.min) return `At least ${p.min}.`;
      if (p.max !== undefined && n > p.max) return `At most ${p.max}.`;
      return undefined;
    }
    case 'enum':
      return p.values.includes(text) ? undefined : `One of ${p.values.join(', ')}.`;
    default:
      return undefined;
  }
}

/** The rules a field follows, shown before any error (not only after one): "1 to 3", "up to 100 characters". */
export function constraintsOf(p: ParamDeclaration): string | undefined {
  switch (p.type) {
    case 'string': {
      const parts = [
        p.minLength !== undefined ? `${p.minLength} to ${p.maxLength} characters` : `Up to ${p.maxLength} characters`,
        p.pattern !== undefined ? `form ${p.pattern}` : '',
      ].filter(Boolean);
      return `${parts.join(', ')}.`;
    }
    case 'integer':
    case 'number': {
      const kind = p.type === 'integer' ? 'A whole number' : 'A number';
      if (p.min !== undefined && p.max !== undefined) return `${kind} from ${p.min} to ${p.max}.`;
      if (p.min !== undefined) return `${kind}, at least ${p.min}.`;
      if (p.max !== undefined) return `${kind}, at most ${p.max}.`;
      return `${kind}.`;
    }
    default:
      return undefined;
  }
}

/** One field checked again as the person fixes it, so an error goes away once it is fixed. */
export function recheck(params: ParamDeclaration[], values: FormValues, name: string): string | undefined {
  const p = params.find((d) => d.name === name);
  return p ? validateForm([p], { [name]: values[name]! }).errors[name] : undefined;
}
