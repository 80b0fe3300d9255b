import { closestMatch } from 'leven';
import type * as z from 'zod';

/**
 * A job definition's problems, in words that name the bad value: `type "lcoal" is not a job type (did
 * you mean "local"?)`, `unknown field "titel" (did you mean "title"?)`, `target is missing`. Read by
 * people editing a jobs file, so each issue is located by its path and quotes what was written there.
 */
export function describeJobProblems(raw: unknown, error: z.ZodError, schema?: z.ZodType): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => describeIssue(raw, issue, schema))
    .join('; ');
}

function describeIssue(raw: unknown, issue: z.core.$ZodIssue, schema?: z.ZodType): string {
  const at = issue.path.map(String).join('.');
  const value = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options?.map(String);
      if (!options || value === undefined) break;
      const suggestion = typeof value === 'string' ? closestMatch(value, options, { maxDistance: 3 }) : undefined;
      return `${at} ${show(value)} is not one of ${options.join(', ')}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
    }
    case 'invalid_value': {
      const options = issue.values.map(String);
      const suggestion = typeof value === 'string' ? closestMatch(value, options, { maxDistance: 3 }) : undefined;
      return `${at} ${show(value)} is not one of ${options.join(', ')}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
    }
    case 'unrecognized_keys': {
      const known = knownKeys(schema, raw, issue.path);
      return issue.keys
        .map((k) => {
          const suggestion = known.length ? closestMatch(k, known, { maxDistance: 3 }) : undefined;
          return `unknown field "${at ? `${at}.` : ''}${k}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
        })
        .join('; ');
    }
    case 'invalid_type':
      if (value === undefined) return `${at} is missing`;
      return `${at} ${show(value)}: ${issue.message.replace(/^Invalid input: /, '')}`;
    default:
      break;
  }
  const quoted = value !== undefined && typeof value !== 'object' ? ` ${show(value)}` : '';
  return `${at || '(job)'}${quoted}: ${issue.message}`;
}

const show = (v: unknown) => (typeof v === 'string' ? `"${v.length > 60 ? `${v.slice(0, 60)}…` : v}"` : JSON.stringify(v)?.slice(0, 60) ?? String(v));

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let v = raw;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** The fields an object in the schema may have at `path` (following the union branch `raw.type` picks). */
function knownKeys(schema: z.ZodType | undefined, raw: unknown, path: PropertyKey[]): string[] {
  let node: unknown = schema;
  let value: unknown = raw;
  const steps = [...path];
  for (let guard = 0; node && guard < 50; guard++) {
    const def = (node as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return [];
    if (def.type === 'union') {
      const options = def.options as z.ZodType[];
      const kind = (value as { type?: unknown } | undefined)?.type;
      node = options.find((o) => (o as unknown as { shape?: { type?: { value?: unknown } } }).shape?.type?.value === kind) ?? options[0];
      continue;
    }
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault' || def.type === 'pipe') {
      node = def.innerType ?? def.in;
      continue;
    }
    if (def.type === 'object') {
      const shape = def.shape as Record<string, z.ZodType>;
      const step = steps.shift();
      if (step === undefined) return Object.keys(shape);
      node = shape[String(step)];
      value = (value as Record<string, unknown> | undefined)?.[String(step)];
      continue;
    }
    if (def.type === 'array') {
      const step = steps.shift();
      node = def.element;
      value = (value as unknown[] | undefined)?.[Number(step)];
      continue;
    }
    return [];
  }
  return [];
}
