import * as z from 'zod';
import { anchored } from './params';
import { shellUnsafeReason } from './shellSafety';
import { placeholdersOf } from './placeholders';
import { isCodeArgument } from './codeArguments';
// Kept apart so that the request path does not load the job schema (and its regex prover) to use them.
export { describeZodError } from './describeZodError';
export { fillPlaceholders, placeholdersOf } from './placeholders';
import { approvalRuleSchema } from './approvalRule';
import { OBJECT_MEMBER_MESSAGE, isObjectMember } from './objectMembers';
import { ec2TargetSchema, ecsTaskTargetSchema, lambdaTargetSchema, localTargetSchema, ssmCommandTargetSchema, stepFunctionsTargetSchema } from './jobTargets';

/**
 * A job's invoke config: what the launcher reads. One schema for the local jobs file and (later) the
 * SSM catalog, so a job definition means the same thing in both modes.
 */
const name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _, at most 64');
const text = (max: number) => z.string().min(1).max(max);

const paramBase = {
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a letter, then letters, digits or _')
    .refine((n) => !isObjectMember(n), `this ${OBJECT_MEMBER_MESSAGE}`),
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
    // Checked here, so a job with a broken pattern is listed unavailable (and refused by push) instead
    // of failing at prepare.
    pattern: z.string().max(500).refine(isValidPattern, 'not a valid regular expression (JavaScript, u flag)').optional(),
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
  /** `required`: a 6-digit MFA code comes with the confirmation, for the job's own sts:AssumeRole. */
  mfaCode: z.enum(['required', 'none']).default('none'),
  /**
   * What the job itself reads when it runs (SSM: the `execution` parameter). The launcher never
   * interprets it; `npm run jobs -- push` writes it beside the invoke config.
   */
  execution: z.record(z.string(), z.unknown()).optional(),
  /** Issue 16 §1: several people's touches before a run launches (approvalRule.ts). */
  approvals: approvalRuleSchema.optional(),
  /**
   * Issue 16 §3: destinations (by name, defined in the deploy settings or local config) told of this job's
   * requests and runs. Never a URL: whoever writes the catalog must not choose where data goes.
   */
  notify: z.array(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a destination name from the notifications settings')).max(10).optional(),
};

function isValidPattern(pattern: string): boolean {
  try {
    // On its own too: `a)|(b` compiles only once wrapped, and then no longer anchors the whole value.
    new RegExp(pattern, 'u');
    anchored(pattern);
    return true;
  } catch {
    return false;
  }
}


/**
 * `{{name}}` in a target's strings must be a declared, non-secret parameter; where the string is read
 * by a shell (`shell: true`), also one whose values cannot carry shell syntax (shellSafety.ts).
 */
function checkPlaceholders(strings: string[], params: ParamDeclaration[], path: (string | number)[], ctx: z.RefinementCtx, shell: boolean) {
  for (const name of strings.flatMap(placeholdersOf)) {
    const declared = params.find((p) => p.name === name);
    // Secrets never go on a command line or into a document: both are visible to others.
    if (!declared || declared.secret) ctx.addIssue({ code: 'custom', path, message: `{{${name}}} is not a declared non-secret parameter` });
    const unsafe = declared && shell ? shellUnsafeReason(declared) : undefined;
    if (unsafe) ctx.addIssue({ code: 'custom', path, message: `{{${name}}} reaches a shell, but ${unsafe}` });
  }
}

export { isCodeArgument } from './codeArguments';

/**
 * Secrets and MFA codes reach a job only where the launch payload goes to the job alone: a local
 * process's environment, or a Lambda's async event. EC2 tags, ECS overrides, SSM parameters and Step
 * Functions input are kept and shown by AWS, so jobs of those types may not take them.
 */
const TAKES_SECRETS = new Set(['local', 'lambda']);

export const jobDefinitionSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ ...jobBase, type: z.literal('local'), target: localTargetSchema }),
    z.strictObject({ ...jobBase, type: z.literal('lambda'), target: lambdaTargetSchema.default({}) }),
    z.strictObject({ ...jobBase, type: z.literal('ec2'), target: ec2TargetSchema }),
    z.strictObject({ ...jobBase, type: z.literal('ssm-command'), target: ssmCommandTargetSchema }),
    z.strictObject({ ...jobBase, type: z.literal('ecs-task'), target: ecsTaskTargetSchema }),
    z.strictObject({ ...jobBase, type: z.literal('step-functions'), target: stepFunctionsTargetSchema }),
  ])
  .superRefine((job, ctx) => {
    if (job.type === 'local') {
      const { argv } = job.target;
      argv.forEach((arg, i) => checkPlaceholders([arg], job.params, ['target', 'argv', i], ctx, isCodeArgument(argv, i)));
    }
    // Any SSM document may paste a parameter into a shell command (AWS-RunShellScript does, and a custom
    // document's can), and the verifier cannot see the document: every placeholder follows the shell rule.
    if (job.type === 'ssm-command') checkPlaceholders(Object.values(job.target.parameters).flat(), job.params, ['target', 'parameters'], ctx, true);
    // A pending request is stored until its last approval: a secret or an MFA code would have to be too.
    if (job.approvals && job.params.some((p) => p.secret)) ctx.addIssue({ code: 'custom', path: ['approvals'], message: 'a job that needs approvals cannot take secret parameters (they would wait in storage)' });
    if (job.approvals && job.mfaCode === 'required') ctx.addIssue({ code: 'custom', path: ['approvals'], message: 'a job that needs approvals cannot take an MFA code (it would expire while waiting)' });
    if (!TAKES_SECRETS.has(job.type)) {
      if (job.params.some((p) => p.secret)) ctx.addIssue({ code: 'custom', path: ['params'], message: `${job.type} jobs cannot take secret parameters (AWS keeps what they receive)` });
      if (job.mfaCode === 'required') ctx.addIssue({ code: 'custom', path: ['mfaCode'], message: `${job.type} jobs cannot take an MFA code (AWS keeps what they receive)` });
    }
  });
export type JobDefinition = z.infer<typeof jobDefinitionSchema>;
export type JobType = JobDefinition['type'];

/** A catalog lists every job; one whose config is invalid is listed as unavailable, with the reason. */
export type CatalogEntry =
  | { name: string; available: true; job: JobDefinition; versions: Record<string, string>; execution?: ExecutionRef }
  | { name: string; available: false; reason: string; versions: Record<string, string> };

/** Where the job's own execution config is: passed to the job by name and version, never read by us. */
export interface ExecutionRef {
  parameter: string;
  version: string;
}
