import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createSsmCatalog } from '../../../backend/adapters/catalog/ssmCatalog';
import { pushJobs } from '../../../backend/cli/jobCatalogAdmin';

/**
 * What `npm run jobs -- push` writes must read back through the verifier's strict schema: a job with
 * `approvals` (issue 16) and `notify` (§3) once came back unavailable ("unknown field approvals.ttlSeconds").
 */
const file = `jobs:
  - name: pair
    title: Two people
    type: lambda
    allow: { roles: [operator] }
    approvals: { min: 2, groups: { sre: 1 }, requesterCounts: true, ttl: 900 }
    notify: [ops]
`;

describe('SSM catalog round trip', () => {
  it('a pushed job with approvals and notify reads back available, with the same rule and destinations', async () => {
    const ssm = mockClient(SSMClient);
    const stored: { Name: string; Value: string; Version: number; Type: string }[] = [];
    ssm.on(PutParameterCommand).callsFake((i) => (stored.push({ Name: i.Name, Value: i.Value, Version: 1, Type: i.Type }), { Version: 1 }));
    ssm.on(GetParametersByPathCommand).callsFake(() => ({ Parameters: stored }));
    expect((await pushJobs({ client: new SSMClient({}), prefix: '/kl', text: file })).ok).toBe(true);
    const [entry] = await createSsmCatalog({ client: new SSMClient({}), prefix: '/kl' }).listJobs();
    expect(entry!.available ? entry!.job : entry).toMatchObject({ name: 'pair', approvals: { min: 2, groups: { sre: 1 }, requesterCounts: true, ttlSeconds: 900 }, notify: ['ops'] });
    ssm.restore();
  });
});
