import { KeylaunchError } from './errors';
import { fillPlaceholders } from './placeholders';
import type { CatalogEntry, JobDefinition } from './job';
import type { User } from './model';

/** docs/security.md, property 7: the job's policy decides who may run it (by role or by name). */
export const mayRun = (job: JobDefinition, user: User): boolean => job.allow.roles.includes(user.role) || job.allow.users.includes(user.name);

/** Checked at prepare and again at confirm. */
export function authorize(job: JobDefinition, user: User): void {
  if (!mayRun(job, user)) throw new KeylaunchError('not_authorized', `You may not run ${job.name}.`);
}

export function availableJob(entry: CatalogEntry | undefined, name: string): { job: JobDefinition; versions: Record<string, string> } {
  if (!entry) throw new KeylaunchError('job_unknown', `No job named ${name}.`);
  if (!entry.available) throw new KeylaunchError('job_unavailable', `Job ${name} is unavailable: ${entry.reason}`);
  return entry;
}

/** What the person reads before touching: where the job runs, in one line. */
/** What a job runs; with `params`, a local job's command line as it will run (placeholders filled). */
export function describeTarget(job: JobDefinition, params?: Record<string, unknown>): string {
  switch (job.type) {
    case 'local':
      return `local: ${job.target.argv.map((a) => (params ? fillPlaceholders(a, params) : a)).map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ')}`;
    case 'lambda':
      return `Lambda function ${job.target.functionName ?? job.name}${job.target.qualifier ? `:${job.target.qualifier}` : ''} (async)`;
    case 'ec2': {
      const t = job.target.launchTemplate;
      const market = job.target.market === 'spot' ? `spot, at most $${job.target.maxSpotPrice}/h${job.target.onDemandFallback ? ', else on-demand' : ''}` : 'on-demand';
      return `EC2 instance from launch template ${t.id ?? t.name} (version ${t.version}), ${market}`;
    }
    case 'ssm-command': {
      const where = job.target.instanceIds ? `instances ${job.target.instanceIds.join(', ')}` : job.target.targets!.map((x) => `${x.key}=${x.values.join('|')}`).join(' and ');
      return `SSM Run Command ${job.target.documentName} on ${where}`;
    }
    case 'ecs-task':
      return `ECS Fargate task ${job.target.taskDefinition} in cluster ${job.target.cluster}`;
    case 'step-functions':
      return `Step Functions execution of ${job.target.stateMachineArn.split(':').pop()}`;
  }
}
