import { describe, expect, it } from 'vitest';
import { jobDefinitionSchema } from '../../../backend/core/job';
import { describeZodError } from '../../../backend/core/describeZodError';
import { ruleSatisfied } from '../../../backend/core/approvalRule';
import type { ApprovalRule } from '../../../backend/core/model';

const job = (approvals: unknown, extra: Record<string, unknown> = {}) => ({
  name: 'deploy',
  title: 'Deploy',
  type: 'local',
  allow: { roles: ['operator'] },
  target: { argv: ['/bin/true'] },
  approvals,
  ...extra,
});
const problem = (approvals: unknown, extra?: Record<string, unknown>) => {
  const r = jobDefinitionSchema.safeParse(job(approvals, extra));
  return r.success ? 'valid' : describeZodError(r.error);
};

describe('a job’s approvals rule (issue 16 §1)', () => {
  it('parses a valid rule, with defaults that mean "others only, one hour"', () => {
    const parsed = jobDefinitionSchema.parse(job({ min: 2, groups: { sre: 1, security: 1 } }));
    expect(parsed.approvals).toEqual({ min: 2, groups: { sre: 1, security: 1 }, requesterCounts: false, ttlSeconds: 3600 });
    expect(jobDefinitionSchema.parse(job(undefined)).approvals).toBeUndefined();
  });

  it.each([
    [{ min: 0 }, 'min: at least 1 person'],
    [{ min: 21 }, 'min: at most 20 people'],
    [{ min: 2, ttl: 86_401 }, 'at most 86400 seconds'],
    [{ min: 2, ttl: 10 }, 'at least 60 seconds'],
    [{ min: 1, groups: { sre: 1, security: 1 } }, 'the groups ask for 2 people but min is 1'],
    [{ min: 2, groups: { SRE: 1 } }, 'a group name'],
    [{ min: 2, groups: { sre: 0 } }, 'each group needs at least 1'],
    [{ min: 1, requesterCounts: true }, 'with requesterCounts, min must be at least 2'],
    [{ min: 2, quorum: 3 }, 'quorum'],
    [{ min: '2' }, 'min'],
    // A map keyed by it breaks DynamoDB's converter (a 500 at confirm) and every `rule.groups[g]` lookup.
    [{ min: 2, groups: { constructor: 1 } }, 'a name every JavaScript object already has'],
  ])('refuses %j with a clear error', (approvals, message) => {
    expect(problem(approvals)).toContain(message);
  });

  it('refuses approvals on a job with secrets or an MFA code (they would wait in storage)', () => {
    expect(problem({ min: 2 }, { params: [{ name: 'token', type: 'string', secret: true }] })).toContain('cannot take secret parameters');
    expect(problem({ min: 2 }, { mfaCode: 'required' })).toContain('cannot take an MFA code');
    expect(problem({ min: 2 }, { params: [{ name: 'token', type: 'string' }] })).toBe('valid');
  });
});

describe('ruleSatisfied: distinct people fill the group seats', () => {
  const rule = (min: number, groups: Record<string, number> = {}): ApprovalRule => ({ min, groups, requesterCounts: false, ttlSeconds: 600 });
  const p = (userId: string, ...groups: string[]) => ({ userId, groups });

  it('counts people, not approvals', () => {
    expect(ruleSatisfied(rule(2), [p('a'), p('a')])).toBe(false);
    expect(ruleSatisfied(rule(2), [p('a'), p('b')])).toBe(true);
  });

  it('one person in both groups is not one from each', () => {
    const r = rule(2, { sre: 1, security: 1 });
    expect(ruleSatisfied(r, [p('a', 'sre', 'security')])).toBe(false);
    expect(ruleSatisfied(r, [p('a', 'sre', 'security'), p('b')])).toBe(false);
    expect(ruleSatisfied(r, [p('a', 'sre', 'security'), p('b', 'sre')])).toBe(true);
    expect(ruleSatisfied(r, [p('a', 'sre'), p('b', 'sre')])).toBe(false);
    expect(ruleSatisfied(r, [p('a', 'sre'), p('b', 'security')])).toBe(true);
  });

  it('finds the assignment when the first choice blocks it (augmenting path)', () => {
    // a could fill sre or security; taken greedily as sre, b (sre only) needs a moved to security.
    const r = rule(2, { sre: 1, security: 1 });
    expect(ruleSatisfied(r, [p('a', 'sre', 'security'), p('b', 'sre')])).toBe(true);
    const three = rule(3, { sre: 2, security: 1 });
    expect(ruleSatisfied(three, [p('a', 'sre', 'security'), p('b', 'sre'), p('c', 'sre')])).toBe(true);
    expect(ruleSatisfied(three, [p('a', 'sre'), p('b', 'sre'), p('c', 'sre')])).toBe(false);
  });
});

describe('names every JavaScript object already has', () => {
  // A parameter named `constructor` made confirm answer 500 on DynamoDB (the converter refuses a map with that
  // key) and made lookups like labels[name] find Object.prototype's members: the job is refused instead.
  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty'])('a parameter may not be named %s', (name) => {
    expect(problem(undefined, { params: [{ name, type: 'string' }] })).toContain('a name every JavaScript object already has');
  });
  it('names that merely contain one are fine', () => {
    expect(problem(undefined, { params: [{ name: 'constructorId', type: 'string' }] })).toBe('valid');
    expect(problem({ min: 2, groups: { constructors: 1 } })).toBe('valid');
  });
});
