import * as z from 'zod';
import { fingerprint } from '../../backend/core/intent';
import type { Intent } from '../../backend/core/model';
import type { DecisionOptions } from '../../backend/core/decisions';

/**
 * The verifier's answer to a decision's options, as main checks it before showing it in its review: main
 * cannot re-derive the challenge (it never sees the nonce), but it can refuse an answer that does not hold
 * together. It must be for the request asked about, still open, with every field the review reads, and
 * its fingerprint must be the request's own and derived from the request's intent hash: the code the
 * requester compared, not one copied from another request.
 */
const text = z.string().max(10_000);
const requestView = z.object({
  id: text,
  status: z.literal('pending'),
  job: z.object({ name: text, title: text, target: text }),
  params: z.record(text, z.union([text, z.number(), z.boolean()])),
  labels: z.record(text, text),
  fingerprint: text,
  intentHash: z.string().regex(/^[0-9a-f]{64}$/),
  requester: z.object({ name: text }),
  proposer: z.object({ name: text }).optional(),
  reason: text.optional(),
  approvals: z.array(z.object({ userName: text })),
  missing: z.object({ people: z.number().int().min(0), groups: z.record(text, z.number().int().min(0)) }),
  expiresAt: z.number(),
});
const decisionOptions = z.object({ intentId: text, options: z.object({}), fingerprint: text, expiresAt: z.number(), request: requestView });

/** Why main will not show this answer, or undefined when it holds together for `requestId`. */
export function decisionAnswerProblem(answer: DecisionOptions, requestId: string): string | undefined {
  const parsed = decisionOptions.safeParse(answer);
  if (!parsed.success) return 'The verifier’s answer is missing what the review shows, or the request is no longer open; nothing was shown.';
  const o = parsed.data;
  if (o.request.id !== requestId) return 'The verifier answered for another request; nothing was shown.';
  const derived = fingerprint({} as Intent, Buffer.from(o.request.intentHash, 'hex'));
  if (o.fingerprint !== o.request.fingerprint || o.fingerprint !== derived) return 'The verifier’s fingerprint is not this request’s; nothing was shown.';
  if (o.expiresAt > o.request.expiresAt) return 'The verifier’s answer outlives the request; nothing was shown.';
  return undefined;
}
