import type { JobDefinition } from '../core/job';

/**
 * Least privilege, generated from the job catalog: each job's launch role (launchRoles.ts) may launch,
 * follow and stop exactly that job and nothing else. No statement has a wildcard action; a `*` resource
 * appears only for calls that AWS does not scope by resource (each says why).
 */
export interface StatementSpec {
  sid: string;
  actions: string[];
  resources: string[];
  conditions?: Record<string, Record<string, string | string[]>>;
  /** Why the resource is `*`, when it is. */
  why?: string;
}

export interface Where {
  region: string;
  account: string;
  partition?: string;
}

/** The tag every instance an `ec2` job starts carries (awsLaunch.ts runTags): what its role may terminate. */
export const JOB_TAG = 'JobName';

export function jobPermissions(job: JobDefinition, where: Where): StatementSpec[] {
  const p = where.partition ?? 'aws';
  const { region, account } = where;
  const arn = (service: string, resource: string, acct = account, rgn = region) => `arn:${p}:${service}:${rgn}:${acct}:${resource}`;
  /** A log group and its streams: FilterLogEvents is authorized on the group, GetLogEvents on a stream. */
  const logGroup = (name: string, acct = account, rgn = region) => [arn('logs', `log-group:${name}`, acct, rgn), arn('logs', `log-group:${name}:log-stream:*`, acct, rgn)];
  const readLogs = (sid: string, resources: string[]): StatementSpec => ({ sid, actions: ['logs:FilterLogEvents', 'logs:GetLogEvents'], resources });

  switch (job.type) {
    case 'local':
      return [];

    case 'lambda': {
      const fn = job.target.functionName ?? job.name;
      const base = fn.startsWith('arn:') ? fn : arn('lambda', `function:${fn}`);
      // The function's log group is in its own account and region (a full ARN may name others).
      const [, , , fnRegion = region, fnAccount = account] = base.split(':');
      const name = /(?:^|:)function:([A-Za-z0-9_-]+)/.exec(fn)?.[1] ?? fn;
      return [
        { sid: 'InvokeJobFunction', actions: ['lambda:InvokeFunction'], resources: [job.target.qualifier ? `${base}:${job.target.qualifier}` : base] },
        readLogs('ReadJobFunctionLogs', logGroup(`/aws/lambda/${name}`, fnAccount, fnRegion)),
      ];
    }

    case 'ec2': {
      if (!job.target.launchTemplate.id) throw new Error(`Job ${job.name}: give its launch template by id (lt-…), so RunInstances can be limited to it.`);
      const template = arn('ec2', `launch-template/${job.target.launchTemplate.id}`);
      const launchedWith = { ArnEquals: { 'ec2:LaunchTemplate': [template] } };
      const out: StatementSpec[] = [
        // AWS's pattern for "only what the template names": the template itself, then every other resource
        // RunInstances touches only when it comes from that template (ec2:IsLaunchTemplateResource), so the
        // caller cannot override the AMI, subnet, security groups, key pair or network interfaces.
        // The spot request is made from the call's market options, not the template, and grants nothing.
        { sid: 'RunInstancesFromJobTemplate', actions: ['ec2:RunInstances'], resources: [template, arn('ec2', 'spot-instances-request/*')], conditions: launchedWith },
        {
          sid: 'RunInstancesOnlyWithTemplateResources',
          actions: ['ec2:RunInstances'],
          resources: [...['instance', 'volume', 'network-interface', 'subnet', 'security-group', 'key-pair'].map((r) => arn('ec2', `${r}/*`)), `arn:${p}:ec2:${region}::image/*`, `arn:${p}:ec2:${region}::snapshot/*`],
          conditions: { ...launchedWith, Bool: { 'ec2:IsLaunchTemplateResource': 'true' } },
        },
        { sid: 'TagOnlyWhatRunInstancesCreates', actions: ['ec2:CreateTags'], resources: [arn('ec2', 'instance/*'), arn('ec2', 'volume/*')], conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } } },
        {
          sid: 'ReadSpotPricesAndInstances',
          actions: ['ec2:DescribeLaunchTemplateVersions', 'ec2:DescribeSpotPriceHistory', 'ec2:DescribeSubnets', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeInstances'],
          resources: ['*'],
          why: 'EC2 Describe* calls support no resource-level permissions',
        },
        // Cancel: only instances this job started (RunInstances tags them with the job's name at creation).
        { sid: 'TerminateOnlyThisJobsInstances', actions: ['ec2:TerminateInstances'], resources: [arn('ec2', 'instance/*')], conditions: { StringEquals: { [`ec2:ResourceTag/${JOB_TAG}`]: job.name } } },
      ];
      if (job.target.instanceRoleArn) out.push({ sid: 'PassInstanceRole', actions: ['iam:PassRole'], resources: [job.target.instanceRoleArn], conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } });
      return out;
    }

    case 'ssm-command': {
      const t = job.target;
      const document = /^AWS-|^Amazon/.test(t.documentName) ? `arn:${p}:ssm:${region}::document/${t.documentName}` : arn('ssm', `document/${t.documentName}`);
      const out: StatementSpec[] = [{ sid: 'SendCommandDocument', actions: ['ssm:SendCommand'], resources: [document] }];
      if (t.instanceIds) out.push({ sid: 'SendCommandInstances', actions: ['ssm:SendCommand'], resources: t.instanceIds.map((i) => arn('ec2', `instance/${i}`)) });
      for (const target of t.targets ?? []) {
        if (!target.key.startsWith('tag:')) throw new Error(`Job ${job.name}: SSM targets must be tags (tag:<key>) or instance ids, so SendCommand can be limited.`);
        out.push({
          sid: `SendCommandTagged${target.key.slice(4).replace(/[^A-Za-z0-9]/g, '')}`,
          actions: ['ssm:SendCommand'],
          resources: [arn('ec2', 'instance/*')],
          conditions: { StringEquals: { [`ssm:resourceTag/${target.key.slice(4)}`]: target.values } },
        });
      }
      out.push({
        sid: 'FollowAndCancelCommands',
        actions: ['ssm:ListCommands', 'ssm:ListCommandInvocations', 'ssm:GetCommandInvocation', 'ssm:CancelCommand'],
        resources: ['*'],
        why: 'these SSM calls support no resource-level permissions (the role is this job’s alone, assumed per run)',
      });
      if (t.cloudWatchLogGroup) out.push(readLogs('ReadCommandLogs', logGroup(t.cloudWatchLogGroup)));
      return out;
    }

    case 'ecs-task': {
      const t = job.target;
      const cluster = t.cluster.startsWith('arn:') ? t.cluster : arn('ecs', `cluster/${t.cluster}`);
      const family = t.taskDefinition.startsWith('arn:') ? t.taskDefinition : arn('ecs', `task-definition/${t.taskDefinition}`);
      const inCluster = { ArnEquals: { 'ecs:cluster': cluster } };
      const out: StatementSpec[] = [
        { sid: 'RunTask', actions: ['ecs:RunTask'], resources: [family], conditions: inCluster },
        { sid: 'TagReadAndStopTasks', actions: ['ecs:TagResource', 'ecs:DescribeTasks', 'ecs:StopTask'], resources: [arn('ecs', `task/${cluster.split('/').pop()}/*`)] },
        { sid: 'ReadTaskDefinitionLogging', actions: ['ecs:DescribeTaskDefinition'], resources: ['*'], why: 'ecs:DescribeTaskDefinition supports no resource-level permissions' },
      ];
      if (t.taskRoleArns.length) out.push({ sid: 'PassTaskRoles', actions: ['iam:PassRole'], resources: t.taskRoleArns, conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } });
      if (t.logGroup) out.push(readLogs('ReadTaskLogs', logGroup(t.logGroup)));
      return out;
    }

    case 'step-functions': {
      const machine = job.target.stateMachineArn;
      return [
        { sid: 'StartJobExecution', actions: ['states:StartExecution'], resources: [machine] },
        { sid: 'FollowAndStopJobExecutions', actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:StopExecution'], resources: [`${machine.replace(':stateMachine:', ':execution:')}:*`] },
      ];
    }
  }
}
