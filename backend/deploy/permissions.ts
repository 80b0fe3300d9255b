import type { JobDefinition } from '../core/job';

/**
 * Least privilege, generated from the job catalog: the verifier's role may start exactly the jobs in the
 * catalog and nothing else. No statement has a wildcard action; a `*` resource appears only for calls
 * that AWS does not scope by resource (each says why).
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

export function jobPermissions(jobs: JobDefinition[], where: Where): StatementSpec[] {
  const p = where.partition ?? 'aws';
  const { region, account } = where;
  const arn = (service: string, resource: string, acct = account) => `arn:${p}:${service}:${region}:${acct}:${resource}`;
  const out: StatementSpec[] = [];
  const of = <T extends JobDefinition['type']>(type: T) => jobs.filter((j): j is Extract<JobDefinition, { type: T }> => j.type === type);
  const sid = (s: string) => s.replace(/[^A-Za-z0-9]/g, '');

  const lambdas = of('lambda').map((j) => {
    const fn = j.target.functionName ?? j.name;
    const base = fn.startsWith('arn:') ? fn : arn('lambda', `function:${fn}`);
    return j.target.qualifier ? `${base}:${j.target.qualifier}` : base;
  });
  if (lambdas.length) out.push({ sid: 'InvokeJobFunctions', actions: ['lambda:InvokeFunction'], resources: [...new Set(lambdas)] });

  const ec2 = of('ec2');
  if (ec2.length) {
    const templates = ec2.map((j) => {
      if (!j.target.launchTemplate.id) throw new Error(`Job ${j.name}: give its launch template by id (lt-…), so RunInstances can be limited to it.`);
      return arn('ec2', `launch-template/${j.target.launchTemplate.id}`);
    });
    const launchedWith = { ArnEquals: { 'ec2:LaunchTemplate': templates } };
    // AWS's pattern for "only what the template names": the template itself, then every other resource
    // RunInstances touches only when it comes from that template (ec2:IsLaunchTemplateResource), so the
    // caller cannot override the AMI, subnet, security groups, key pair or network interfaces.
    // The spot request is made from the call's market options, not the template, and grants nothing.
    out.push({ sid: 'RunInstancesFromJobTemplates', actions: ['ec2:RunInstances'], resources: [...templates, arn('ec2', 'spot-instances-request/*')], conditions: launchedWith });
    out.push({
      sid: 'RunInstancesOnlyWithTemplateResources',
      actions: ['ec2:RunInstances'],
      resources: [...['instance', 'volume', 'network-interface', 'subnet', 'security-group', 'key-pair'].map((r) => arn('ec2', `${r}/*`)), `arn:${p}:ec2:${region}::image/*`, `arn:${p}:ec2:${region}::snapshot/*`],
      conditions: { ...launchedWith, Bool: { 'ec2:IsLaunchTemplateResource': 'true' } },
    });
    out.push({ sid: 'TagOnlyWhatRunInstancesCreates', actions: ['ec2:CreateTags'], resources: [arn('ec2', 'instance/*'), arn('ec2', 'volume/*')], conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } } });
    out.push({
      sid: 'ReadSpotPricesAndInstances',
      actions: ['ec2:DescribeLaunchTemplateVersions', 'ec2:DescribeSpotPriceHistory', 'ec2:DescribeSubnets', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeInstances'],
      resources: ['*'],
      why: 'EC2 Describe* calls support no resource-level permissions',
    });
    const roles = [...new Set(ec2.map((j) => j.target.instanceRoleArn).filter((r): r is string => !!r))];
    if (roles.length) out.push({ sid: 'PassInstanceRoles', actions: ['iam:PassRole'], resources: roles, conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } });
  }

  for (const j of of('ssm-command')) {
    const t = j.target;
    const document = /^AWS-|^Amazon/.test(t.documentName) ? `arn:${p}:ssm:${region}::document/${t.documentName}` : arn('ssm', `document/${t.documentName}`);
    out.push({ sid: sid(`SendCommandDocument${j.name}`), actions: ['ssm:SendCommand'], resources: [document] });
    if (t.instanceIds) out.push({ sid: sid(`SendCommandInstances${j.name}`), actions: ['ssm:SendCommand'], resources: t.instanceIds.map((i) => arn('ec2', `instance/${i}`)) });
    for (const target of t.targets ?? []) {
      if (!target.key.startsWith('tag:')) throw new Error(`Job ${j.name}: SSM targets must be tags (tag:<key>) or instance ids, so SendCommand can be limited.`);
      out.push({
        sid: sid(`SendCommandTagged${j.name}${target.key}`),
        actions: ['ssm:SendCommand'],
        resources: [arn('ec2', 'instance/*')],
        conditions: { StringEquals: { [`ssm:resourceTag/${target.key.slice(4)}`]: target.values } },
      });
    }
  }
  if (of('ssm-command').length) out.push({ sid: 'ReadCommandStatus', actions: ['ssm:ListCommands'], resources: ['*'], why: 'ssm:ListCommands supports no resource-level permissions' });

  const ecs = of('ecs-task');
  for (const j of ecs) {
    const t = j.target;
    const cluster = t.cluster.startsWith('arn:') ? t.cluster : arn('ecs', `cluster/${t.cluster}`);
    const family = t.taskDefinition.startsWith('arn:') ? t.taskDefinition : arn('ecs', `task-definition/${t.taskDefinition}`);
    out.push({ sid: sid(`RunTask${j.name}`), actions: ['ecs:RunTask'], resources: [family], conditions: { ArnEquals: { 'ecs:cluster': cluster } } });
    out.push({ sid: sid(`TagAndReadTasks${j.name}`), actions: ['ecs:TagResource', 'ecs:DescribeTasks'], resources: [arn('ecs', `task/${cluster.split('/').pop()}/*`)] });
    if (t.taskRoleArns.length) out.push({ sid: sid(`PassTaskRoles${j.name}`), actions: ['iam:PassRole'], resources: t.taskRoleArns, conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } });
  }

  const machines = of('step-functions').map((j) => j.target.stateMachineArn);
  if (machines.length) {
    out.push({ sid: 'StartJobExecutions', actions: ['states:StartExecution'], resources: [...new Set(machines)] });
    out.push({ sid: 'ReadJobExecutions', actions: ['states:DescribeExecution'], resources: [...new Set(machines.map((m) => `${m.replace(':stateMachine:', ':execution:')}:*`))] });
  }
  return out;
}
