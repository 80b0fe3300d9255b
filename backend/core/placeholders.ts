/** `{{name}}` placeholders in a job's target strings (job.ts checks them; launchers fill them in). */
const PLACEHOLDER = /\{\{([A-Za-z][A-Za-z0-9_]*)\}\}/g;

export const placeholdersOf = (arg: string) => [...arg.matchAll(PLACEHOLDER)].map((m) => m[1]!);

export const fillPlaceholders = (arg: string, values: Record<string, unknown>, quote: (value: string) => string = (v) => v) =>
  // Own values only: an unset parameter named `constructor` must not fill in Object.prototype's.
  arg.replace(PLACEHOLDER, (_, name: string) => quote(Object.hasOwn(values, name) && values[name] !== undefined ? String(values[name]) : ''));
