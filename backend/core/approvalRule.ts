import * as z from 'zod';
import type { ApprovalRecord, ApprovalRule } from './model';
import { OBJECT_MEMBER_MESSAGE, isObjectMember } from './objectMembers';

/**
 * A job's `approvals` (issue 16 §1): how many distinct people must approve a run, how many of them from
 * each named group, whether the requester's own touch counts, and how long the request stays open.
 *
 *   "approvals": { "min": 2, "groups": { "sre": 1, "security": 1 }, "requesterCounts": false, "ttl": 3600 }
 */
export const MAX_APPROVAL_TTL_SECONDS = 24 * 3600;
const GROUP_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const approvalRuleSchema = z
  .strictObject({
    min: z.number().int().min(1, 'min: at least 1 person').max(20, 'min: at most 20 people'),
    groups: z.record(z.string(), z.number().int().min(1, 'each group needs at least 1').max(20)).default({}),
    /** Default no: nobody approves their own request unless the job says so. */
    requesterCounts: z.boolean().default(false),
    /** Seconds the request stays open: at most 24 h. */
    ttl: z.number().int().min(60, 'ttl: at least 60 seconds').max(MAX_APPROVAL_TTL_SECONDS, 'ttl: at most 86400 seconds (24 h)').default(3600),
  })
  .superRefine((rule, ctx) => {
    for (const g of Object.keys(rule.groups)) {
      if (isObjectMember(g)) ctx.addIssue({ code: 'custom', path: ['groups', g], message: `"${g}" ${OBJECT_MEMBER_MESSAGE}` });
      else if (!GROUP_NAME.test(g)) ctx.addIssue({ code: 'custom', path: ['groups', g], message: `"${g.slice(0, 64)}" is not a group name: lowercase letters, digits, - and _, at most 64` });
    }
    const fromGroups = Object.values(rule.groups).reduce((a, b) => a + b, 0);
    if (fromGroups > rule.min) ctx.addIssue({ code: 'custom', path: ['groups'], message: `the groups ask for ${fromGroups} people but min is ${rule.min}: raise min` });
    if (Object.keys(rule.groups).length > 10) ctx.addIssue({ code: 'custom', path: ['groups'], message: 'at most 10 groups' });
    // With the requester counting, min 1 is the plain one-touch run: say so rather than accept a rule that adds nothing.
    if (rule.requesterCounts && rule.min < 2) ctx.addIssue({ code: 'custom', path: ['min'], message: 'with requesterCounts, min must be at least 2 (min 1 is an ordinary run)' });
  })
  .transform((r): ApprovalRule => ({ min: r.min, groups: r.groups, requesterCounts: r.requesterCounts, ttlSeconds: r.ttl }));

/**
 * Whether these approvals (distinct people, one record each) meet the rule: at least `min` of them, and
 * a way to assign distinct people to every group seat (one person fills one seat: someone in both `sre`
 * and `security` is not "one from each"). A bipartite matching, by augmenting paths; the sizes are tiny.
 */
export function ruleSatisfied(rule: ApprovalRule, approvals: Pick<ApprovalRecord, 'userId' | 'groups'>[]): boolean {
  const people = new Map(approvals.map((a) => [a.userId, a.groups]));
  if (people.size < rule.min) return false;
  const seats = Object.entries(rule.groups).flatMap(([group, n]) => Array.from({ length: n }, () => group));
  const holder: (string | undefined)[] = seats.map(() => undefined);
  const assign = (userId: string, seen: Set<number>): boolean => {
    for (let s = 0; s < seats.length; s++) {
      if (seen.has(s) || !people.get(userId)!.includes(seats[s]!)) continue;
      seen.add(s);
      if (holder[s] === undefined || assign(holder[s]!, seen)) {
        holder[s] = userId;
        return true;
      }
    }
    return false;
  };
  for (const userId of people.keys()) assign(userId, new Set());
  return holder.every((h) => h !== undefined);
}

/**
 * Who may decide on a request of this rule: someone the job allows, or a member of one of its groups.
 * Own keys only: `in` would also find `constructor`, a valid group name, on every rule.
 */
export const inRuleGroups = (rule: ApprovalRule, groups: string[] | undefined) => (groups ?? []).some((g) => Object.hasOwn(rule.groups, g));
