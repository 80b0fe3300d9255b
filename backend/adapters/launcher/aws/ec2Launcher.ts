import {
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSpotPriceHistoryCommand,
  DescribeSubnetsCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { KeylaunchError } from '../../../core/errors';
import type { LaunchDetails } from '../../../core/model';
import type { CancelRequest, LaunchResult, Launcher, LaunchRequest, OutputPage, OutputRequest } from '../../../core/ports';
import { DEFAULT_RETRY, cancelError, consoleUrl, followError, launchError, runTags, withRetry, type RetryPolicy } from './awsLaunch';
import { invalid, readCursor, writeCursor } from './followCursor';

type Ec2Job = Extract<LaunchRequest['job'], { type: 'ec2' }>;

/**
 * `ec2` jobs: one instance from a launch template. Spot (one-time, terminated on interruption) unless the
 * job says on-demand. Before a spot launch, the spot price guard reads the current price for the
 * template's instance type in every zone it can launch in and refuses (`spot_price_too_high`, naming both
 * prices) if the highest is above the job's maximum. `MaxPrice` is never sent: the guard decides, and an
 * on-demand fallback happens only when the job asks for it. The run id is the ClientToken, so a retried
 * RunInstances cannot start a second instance.
 */
export function createEc2Launcher(o: { client: EC2Client; region: string; retry?: RetryPolicy; now?: () => Date }): Launcher {
  const send = <T>(fn: () => Promise<T>) => withRetry(o.retry ?? DEFAULT_RETRY, fn);

  async function templateFacts(job: Ec2Job): Promise<{ instanceType: string; zones: string[] }> {
    const t = job.target.launchTemplate;
    const out = await send(() =>
      o.client.send(new DescribeLaunchTemplateVersionsCommand({ ...(t.id ? { LaunchTemplateId: t.id } : { LaunchTemplateName: t.name }), Versions: [t.version] })),
    );
    const data = out.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
    if (!data) throw new KeylaunchError('launch_template_missing', `Launch template ${t.id ?? t.name} has no version ${t.version}.`);
    if (!data.InstanceType) throw new KeylaunchError('launch_failed', 'The launch template names no instance type, so its spot price cannot be checked.');
    if (data.Placement?.AvailabilityZone) return { instanceType: data.InstanceType, zones: [data.Placement.AvailabilityZone] };
    const subnets = (data.NetworkInterfaces ?? []).map((n) => n.SubnetId).filter((s): s is string => !!s);
    if (subnets.length) {
      const s = await send(() => o.client.send(new DescribeSubnetsCommand({ SubnetIds: subnets })));
      return { instanceType: data.InstanceType, zones: [...new Set((s.Subnets ?? []).map((x) => x.AvailabilityZone!).filter(Boolean))] };
    }
    const z = await send(() => o.client.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }, { Name: 'zone-type', Values: ['availability-zone'] }] })));
    return { instanceType: data.InstanceType, zones: (z.AvailabilityZones ?? []).map((x) => x.ZoneName!).filter(Boolean) };
  }

  /** The latest spot price per zone (Linux/UNIX), for the zones the template can launch in. */
  async function spotPrices(instanceType: string, zones: string[]): Promise<Record<string, number>> {
    const out = await send(() =>
      o.client.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: [instanceType as never], ProductDescriptions: ['Linux/UNIX'], StartTime: (o.now ?? (() => new Date()))() })),
    );
    const prices: Record<string, number> = {};
    for (const p of (out.SpotPriceHistory ?? []).slice().sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0))) {
      if (p.AvailabilityZone && zones.includes(p.AvailabilityZone) && p.SpotPrice) prices[p.AvailabilityZone] = Number(p.SpotPrice);
    }
    return prices;
  }

  return {
    async launch(request: LaunchRequest): Promise<LaunchResult> {
      const { job } = request;
      if (job.type !== 'ec2') throw new KeylaunchError('launch_failed', `The EC2 launcher cannot run ${job.type} jobs.`);
      try {
        let market: 'spot' | 'on-demand' = job.target.market;
        const seen: Record<string, unknown> = {};
        if (market === 'spot') {
          const { instanceType, zones } = await templateFacts(job);
          const prices = await spotPrices(instanceType, zones);
          const highest = Math.max(...Object.values(prices));
          const max = Number(job.target.maxSpotPrice);
          Object.assign(seen, { instanceType, spotPrices: prices, maxSpotPrice: job.target.maxSpotPrice });
          if (!Number.isFinite(highest)) throw new KeylaunchError('launch_failed', `No current spot price for ${instanceType} in ${zones.join(', ')}.`);
          if (highest > max) {
            if (!job.target.onDemandFallback) {
              throw new KeylaunchError('spot_price_too_high', `The spot price for ${instanceType} is $${highest}/h, above this job's maximum of $${job.target.maxSpotPrice}/h.`, {
                details: { currentPrice: String(highest), maxPrice: job.target.maxSpotPrice, launch: { launcher: 'ec2', summary: 'Not launched: spot price above the maximum.', ...seen } },
              });
            }
            market = 'on-demand';
            seen.fallback = `spot at $${highest}/h was above $${job.target.maxSpotPrice}/h: launched on-demand, as the job allows`;
          }
        }
        const t = job.target.launchTemplate;
        const tags = runTags(request);
        const input: RunInstancesCommandInput = {
          LaunchTemplate: { ...(t.id ? { LaunchTemplateId: t.id } : { LaunchTemplateName: t.name }), Version: t.version },
          MinCount: 1,
          MaxCount: 1,
          ClientToken: request.runId,
          TagSpecifications: [
            { ResourceType: 'instance', Tags: tags },
            { ResourceType: 'volume', Tags: tags },
          ],
          // The job reads JobName / RunId from instance metadata tags; IMDSv2 only.
          MetadataOptions: { InstanceMetadataTags: 'enabled', HttpTokens: 'required' },
          ...(market === 'spot' ? { InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' } } } : {}),
        };
        const out = await send(() => o.client.send(new RunInstancesCommand(input)));
        const instance = out.Instances?.[0];
        if (!instance?.InstanceId) throw new KeylaunchError('launch_failed', 'EC2 answered without an instance.');
        const price = market === 'spot' && instance.Placement?.AvailabilityZone ? (seen.spotPrices as Record<string, number>)[instance.Placement.AvailabilityZone] : undefined;
        return {
          status: 'running',
          details: {
            launcher: 'ec2',
            summary: `Instance ${instance.InstanceId} (${instance.InstanceType ?? 'instance'}, ${market}) is ${instance.State?.Name ?? 'pending'}.`,
            instanceId: instance.InstanceId,
            instanceState: instance.State?.Name ?? 'pending',
            availabilityZone: instance.Placement?.AvailabilityZone ?? null,
            market,
            ...(price !== undefined ? { spotPriceSeen: String(price) } : {}),
            ...seen,
            consoleUrl: consoleUrl.ec2(o.region, instance.InstanceId),
          },
        };
      } catch (e) {
        throw launchError(e);
      }
    },

    async status(details: LaunchDetails): Promise<LaunchResult> {
      const { state } = await describe(details);
      // An instance that stopped or terminated has ended; EC2 cannot say whether the job in it succeeded.
      const status = state === 'pending' || state === 'running' ? 'running' : 'ended';
      return { status, details: { ...details, instanceState: state, summary: `Instance ${String(details.instanceId)} is ${state}.` } };
    },

    /** EC2 keeps no job output: the instance's state changes, as `event` lines, until it stopped or terminated. */
    async output(details: LaunchDetails, request: OutputRequest): Promise<OutputPage> {
      const cursor = readCursor(request.cursor);
      const { state, reason } = await describe(details);
      const ended = ENDED.includes(state);
      const changed = state !== cursor.state && request.limit > 0;
      const lines = changed ? [{ seq: cursor.seq, stream: 'event' as const, text: `Instance ${String(details.instanceId)} is ${state}${reason ? ` (${reason})` : ''}.`, at: Date.now() }] : [];
      const next = { ...cursor, seq: cursor.seq + lines.length, state };
      return { lines, ...(ended && changed ? {} : { cursor: writeCursor(changed ? next : cursor) }), done: ended && changed, truncated: false };
    },

    /** TerminateInstances: the deploy lets each job's role terminate only instances tagged with that job. */
    async cancel(details: LaunchDetails, _request: CancelRequest): Promise<void> {
      const id = instanceIdOf(details);
      await send(() => o.client.send(new TerminateInstancesCommand({ InstanceIds: [id] }))).catch((e) => {
        throw cancelError(e, `instance ${id}`);
      });
    },
  };

  async function describe(details: LaunchDetails): Promise<{ state: string; reason?: string }> {
    const id = instanceIdOf(details);
    const out = await send(() => o.client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).catch((e) => {
      throw followError(e);
    });
    const instance = out?.Reservations?.[0]?.Instances?.[0];
    const state = instance?.State?.Name;
    if (!instance || instance.InstanceId !== id || typeof state !== 'string') throw invalid(`no state for instance ${id}`);
    const reason = typeof instance.StateReason?.Message === 'string' ? instance.StateReason.Message.slice(0, 300) : undefined;
    return { state, ...(reason ? { reason } : {}) };
  }
}

const ENDED = ['stopped', 'terminated'];

function instanceIdOf(details: LaunchDetails): string {
  if (typeof details.instanceId !== 'string' || !/^i-[0-9a-f]{8,17}$/.test(details.instanceId)) throw invalid('no usable instance id for this run');
  return details.instanceId;
}
