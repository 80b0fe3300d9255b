import type { ParamDeclaration } from '../../../backend/core/job';
import type { Run } from '../../../backend/core/model';
import { initialValues, validateForm, type FormValues } from '../paramForm';

/**
 * "Run again" (issue 12 §5): the job's form filled with an earlier run's non-secret parameters, and what
 * differs between that run and the job as it is defined now, so the person reviews a new approval knowing
 * what changed. Secret values were never recorded ('[secret]'): those fields start empty.
 */
export interface RunAgain {
  values: FormValues;
  /** One sentence per difference, in the job's parameter order; empty when nothing changed. */
  changes: string[];
}

/** `versions`: the job's config versions now (GET /v1/jobs); a run records those it was approved under. */
export function runAgain(declared: ParamDeclaration[], run: Run, versions?: Record<string, string>): RunAgain {
  const values = initialValues(declared);
  const changes: string[] = [];
  // Parameters can stay the same while what the job runs changes (its command, template, document).
  const changed = versions ? Object.keys({ ...versions, ...run.configVersions }).filter((k) => versions[k] !== run.configVersions[k]).sort() : [];
  if (changed.length) changes.push(`The job’s definition changed since that run (${changed.map((k) => `${k} config`).join(', ')}): check what it runs in the review before you touch your key.`);
  const label = (p: ParamDeclaration) => p.title ?? p.name;
  for (const p of declared) {
    const before = run.params[p.name];
    if (p.secret) {
      if (before !== undefined) changes.push(`${label(p)} is secret: enter it again.`);
      else if (p.required) changes.push(`${label(p)} is new since that run (secret, required).`);
      continue;
    }
    if (before === undefined) {
      changes.push(`${label(p)} is new since that run${p.default !== undefined ? `; it starts at its default, ${String(p.default)}` : p.required ? '; it is required' : ''}.`);
      continue;
    }
    if (before === '[secret]') {
      changes.push(`${label(p)} was secret in that run and is not now: enter it.`);
      continue;
    }
    values[p.name] = p.type === 'boolean' ? before === true : String(before);
  }
  for (const name of Object.keys(run.params)) {
    if (!declared.some((p) => p.name === name)) changes.push(`${name} was a parameter of that run; the job no longer has it.`);
  }
  // A value the job's rules no longer accept (a narrower range, a dropped choice) is said before the touch.
  const { errors } = validateForm(declared.filter((p) => !p.secret && run.params[p.name] !== undefined && run.params[p.name] !== '[secret]'), values);
  for (const p of declared) {
    const problem = errors[p.name];
    if (problem) changes.push(`${label(p)}: that run’s value ${JSON.stringify(run.params[p.name])} is no longer accepted (${problem.replace(/\.$/, '')}).`);
  }
  return { values, changes };
}
