import * as z from 'zod';

/** Where each type of job runs: one schema per launcher (README "Job definitions" shows an example of each). */

export const localTargetSchema = z.strictObject({
  /** Run directly, never through a shell. `{{param}}` in an element is replaced by that parameter. */
  argv: z.array(z.string().min(1)).min(1).max(100),
  cwd: z.string().optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
  timeoutSeconds: z.number().int().min(1).max(3600).default(60),
});

export const lambdaTargetSchema = z.strictObject({
  /** Defaults to the job's name. A name, a partial ARN or a full ARN. */
  functionName: z.string().min(1).max(170).optional(),
  qualifier: z.string().min(1).max(128).optional(),
});

const usd = z.string().regex(/^\d{1,4}(\.\d{1,6})?$/, 'a price in USD per hour, e.g. "0.25"');

export const ec2TargetSchema = z.strictObject({
  launchTemplate: z
    .strictObject({
      id: z.string().regex(/^lt-[0-9a-f]{8,17}$/).optional(),
      name: z.string().min(3).max(128).optional(),
      version: z.string().regex(/^(\$Latest|\$Default|\d+)$/).default('$Default'),
    })
    .refine((t) => (t.id === undefined) !== (t.name === undefined), 'give the launch template id or name (one of them)'),
  /** Spot, one-time, terminated on interruption, unless `market` says on-demand. */
  market: z.enum(['spot', 'on-demand']).default('spot'),
  /** Refuse to launch (spot_price_too_high) when the current spot price is above this. Never sent to EC2. */
  maxSpotPrice: usd.optional(),
  /** When the spot price is too high, launch on-demand instead of refusing. */
  onDemandFallback: z.boolean().default(false),
  /** The instance profile's role, for the deploy's iam:PassRole (least privilege). */
  instanceRoleArn: z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/).optional(),
}).refine((t) => t.market === 'on-demand' || t.maxSpotPrice !== undefined, { message: 'a spot job needs maxSpotPrice', path: ['maxSpotPrice'] });

export const ssmCommandTargetSchema = z
  .strictObject({
    documentName: z.string().min(3).max(128),
    documentVersion: z.string().max(16).optional(),
    targets: z.array(z.strictObject({ key: z.string().min(1).max(163), values: z.array(z.string().min(1)).min(1).max(50) })).max(5).optional(),
    instanceIds: z.array(z.string().regex(/^(i|mi)-[0-9a-f]{8,17}$/)).min(1).max(50).optional(),
    /** Document parameters; `{{param}}` in a value is replaced by that (non-secret) parameter. */
    parameters: z.record(z.string(), z.array(z.string())).default({}),
    timeoutSeconds: z.number().int().min(30).max(2_592_000).optional(),
    /** CloudWatch Logs group the command's output goes to (followed live, issue 12 §3); without it, SSM's bounded output. */
    cloudWatchLogGroup: z.string().regex(/^[A-Za-z0-9_\-/.#]{1,512}$/, 'a log group name').optional(),
  })
  .refine((t) => (t.targets === undefined) !== (t.instanceIds === undefined), 'give targets or instanceIds (one of them)');

export const ecsTaskTargetSchema = z.strictObject({
  cluster: z.string().min(1).max(255),
  taskDefinition: z.string().min(1).max(255),
  /** The container that gets JOB_NAME, RUN_ID and KEYLAUNCH_EXECUTION_PARAMETER in its environment. */
  containerName: z.string().min(1).max(255),
  subnets: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/)).min(1).max(16),
  securityGroups: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/)).max(5).default([]),
  assignPublicIp: z.boolean().default(false),
  platformVersion: z.string().max(16).optional(),
  /** The task's roles, for the deploy's iam:PassRole (least privilege). */
  taskRoleArns: z.array(z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/)).max(2).default([]),
  /** The container's awslogs group (its task definition's), for the deploy to let the job's role read exactly it. */
  logGroup: z.string().regex(/^[A-Za-z0-9_\-/.#]{1,512}$/, 'a log group name').optional(),
});

export const stepFunctionsTargetSchema = z.strictObject({
  stateMachineArn: z.string().regex(/^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/, 'a state machine ARN'),
});
