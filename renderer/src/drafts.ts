import type { ParamDeclaration } from '../../backend/core/job';
import type { FormValues } from './paramForm';

/**
 * Half-filled forms, per job, for the life of the window: a lock (idle or manual) and unlock brings the
 * person back to the form as they left it. Secret values are never kept: they are typed again.
 */
const kept = new Map<string, FormValues>();

export const drafts = {
  keep(job: string, declared: ParamDeclaration[], values: FormValues) {
    const secret = new Set(declared.filter((p) => p.secret).map((p) => p.name));
    kept.set(job, Object.fromEntries(Object.entries(values).filter(([name]) => !secret.has(name))));
  },
  restore(job: string, declared: ParamDeclaration[], initial: FormValues): FormValues {
    const draft = kept.get(job);
    if (!draft) return initial;
    const known = new Set(declared.map((p) => p.name));
    return { ...initial, ...Object.fromEntries(Object.entries(draft).filter(([name]) => known.has(name))) };
  },
  drop(job: string) {
    kept.delete(job);
  },
  /** Every draft: when another person's config is imported, and between component tests. */
  clear() {
    kept.clear();
  },
};
