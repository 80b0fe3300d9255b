import * as z from 'zod';

/**
 * A job's invoke config: what the launcher reads. One schema for the local jobs file and (later) the
 * SSM catalog, so a job definition means the same thing in both modes.
 */
const name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _, at most 64');
const text = (max: number) => z.string().min(1).max(max);

const paramBase = {
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a letter, then letters, digits or _'),
  title: text(120).optional(),
  description: text(500).optional(),
  required: z.boolean().default(false),
  /** Secret values come with the confirmation only, and are never stored, logged or returned. */
  secret: z.boolean().default(false),
};

export const paramDeclarationSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...paramBase,
    type: z.literal('string'),
    default: z.string().optional(),
    pattern: z.string().max(500).optional(),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(1).max(4096).default(256),
  }),
  z.strictObject({
    ...paramBase,
    type: z.literal('integer'),
    default: z.number().int().optional(),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
  }),
  z.strictObject({
    ...paramBase,
    type: z.literal('number'),
    default: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  }),
  z.strictObject({ ...paramBase, type: z.literal('boolean'), default: z.boolean().optional() }),
  z.strictObject({
    ...paramBase,
    type: z.literal('enum'),
    values: z.array(z.string().min(1).max(256)).min(1).max(100),
    default: z.string().optional(),
  }),
]);
export type ParamDeclaration = z.infer<typeof paramDeclarationSchema>;

const jobBase = {
  name,
  title: text(120),
  description: text(2000).optional(),
  params: z.array(paramDeclarationSchema).max(50).default([]),
  /** Who may run it. Nobody is allowed by default: a job must say. */
  allow: z
    .strictObject({ roles: z.array(z.enum(['admin', 'operator'])).default([]), users: z.array(z.string()).default([]) })
    .refine((a) => a.roles.length + a.users.length > 0, 'allow must name at least one role or user'),
  /** `required`: the key must verify the person (PIN/biometric), not only their presence. */
  userVerification: z.enum(['required', 'discouraged']).default('discouraged'),
};

export const localTargetSchema = z.strictObject({
  /** Run directly, never through a shell. `{{param}}` in an element is replaced by that parameter. */
  argv: z.array(z.string().min(1)).min(1).max(100),
  cwd: z.string().optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
  timeoutSeconds: z.number().int().min(1).max(3600).default(60),
});

const PLACEHOLDER = /\{\{([A-Za-z][A-Za-z0-9_]*)\}\}/g;

/** `{{name}}` placeholders in a local job's argv: each must be a declared, non-secret parameter. */
export const placeholdersOf = (arg: string) => [...arg.matchAll(PLACEHOLDER)].map((m) => m[1]!);
export const fillPlaceholders = (arg: string, values: Record<string, unknown>) =>
  arg.replace(PLACEHOLDER, (_, name: string) => (values[name] === undefined ? '' : String(values[name])));

const localJobSchema = z.strictObject({ ...jobBase, type: z.literal('local'), target: localTargetSchema }).superRefine((job, ctx) => {
  for (const name of job.target.argv.flatMap(placeholdersOf)) {
    const declared = job.params.find((p) => p.name === name);
    // Secrets never go on a command line: argv is visible to every process on the machine.
    if (!declared || declared.secret) ctx.addIssue({ code: 'custom', path: ['target', 'argv'], message: `{{${name}}} is not a declared non-secret parameter` });
  }
});

export const jobDefinitionSchema = z.discriminatedUnion('type', [localJobSchema]);
export type JobDefinition = z.infer<typeof jobDefinitionSchema>;
export type JobType = JobDefinition['type'];

/** A catalog lists every job; one whose config is invalid is listed as unavailable, with the reason. */
export type CatalogEntry =
  | { name: string; available: true; job: JobDefinition; versions: Record<string, string> }
  | { name: string; available: false; reason: string; versions: Record<string, string> };

export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
