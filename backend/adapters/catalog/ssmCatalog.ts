import { GetParametersByPathCommand, GetParametersCommand, type Parameter, type SSMClient } from '@aws-sdk/client-ssm';
import { jobDefinitionSchema, type CatalogEntry } from '../../core/job';
import { describeJobProblems } from '../../core/jobProblems';
import type { JobCatalog } from '../../core/ports';

/**
 * AWS mode's JobCatalog: SSM Parameter Store, two parameters per job —
 *   <prefix>/jobs/<name>/invoke     JSON the launcher reads (validated per job type)
 *   <prefix>/jobs/<name>/execution  what the job reads; passed to it by name and version, never read here
 * The list is read recursively and paginated, never decrypted (only the execution parameter is a
 * SecureString, and the verifier needs nothing of it but its version, so its role holds no kms:Decrypt),
 * and cached briefly. A confirmation asks for the
 * job fresh, so a version that changed between the touch and the launch is always seen (§8).
 */
export function createSsmCatalog(o: { client: SSMClient; prefix: string; cacheMs?: number; now?: () => number }): JobCatalog {
  const root = `${o.prefix.replace(/\/+$/, '')}/jobs/`;
  const cacheMs = o.cacheMs ?? 30_000;
  const now = o.now ?? Date.now;
  let cache: { at: number; entries: CatalogEntry[] } | undefined;

  async function readAll(): Promise<Parameter[]> {
    const params: Parameter[] = [];
    let NextToken: string | undefined;
    do {
      const out = await o.client.send(new GetParametersByPathCommand({ Path: root, Recursive: true, WithDecryption: false, MaxResults: 10, NextToken }));
      params.push(...(out.Parameters ?? []));
      NextToken = out.NextToken;
    } while (NextToken);
    return params;
  }

  const list = async () => {
    if (cache && now() - cache.at < cacheMs) return cache.entries;
    const entries = toEntries(root, await readAll());
    cache = { at: now(), entries };
    return entries;
  };

  return {
    listJobs: list,
    async getJob(name, options = {}) {
      if (!options.fresh) return (await list()).find((e) => e.name === name);
      const out = await o.client.send(new GetParametersCommand({ Names: [`${root}${name}/invoke`, `${root}${name}/execution`], WithDecryption: false }));
      return toEntries(root, out.Parameters ?? []).find((e) => e.name === name);
    },
  };
}

/** Groups parameters by job and validates each invoke config on its own. */
export function toEntries(root: string, params: Parameter[]): CatalogEntry[] {
  const byJob = new Map<string, { invoke?: Parameter; execution?: Parameter }>();
  for (const p of params) {
    const match = p.Name?.startsWith(root) ? /^([^/]+)\/(invoke|execution)$/.exec(p.Name.slice(root.length)) : null;
    if (!match) continue;
    const slot = byJob.get(match[1]!) ?? {};
    slot[match[2] as 'invoke' | 'execution'] = p;
    byJob.set(match[1]!, slot);
  }
  return [...byJob.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, { invoke, execution }]): CatalogEntry => {
      const versions: Record<string, string> = {
        invoke: String(invoke?.Version ?? 'missing'),
        ...(execution ? { execution: String(execution.Version) } : {}),
      };
      if (!invoke) return { name, available: false, reason: `no ${root}${name}/invoke parameter`, versions };
      // Read without decryption, a SecureString's value is ciphertext: say so rather than "not JSON".
      if (invoke.Type === 'SecureString') return { name, available: false, reason: 'the invoke parameter must be a String (the verifier reads the catalog without decryption)', versions };
      let raw: unknown;
      try {
        raw = JSON.parse(invoke.Value ?? '');
      } catch {
        return { name, available: false, reason: 'the invoke parameter is not valid JSON', versions };
      }
      const withName = raw && typeof raw === 'object' && !Array.isArray(raw) ? { name, ...raw } : raw;
      if ((withName as { name?: unknown })?.name !== name) return { name, available: false, reason: `the invoke config names another job (${String((withName as { name?: unknown }).name)})`, versions };
      const parsed = jobDefinitionSchema.safeParse(withName);
      if (!parsed.success) return { name, available: false, reason: describeJobProblems(withName, parsed.error, jobDefinitionSchema), versions };
      return { name, available: true, job: parsed.data, versions, ...(execution ? { execution: { parameter: execution.Name!, version: String(execution.Version) } } : {}) };
    });
}
