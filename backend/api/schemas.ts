import * as z from 'zod';
import { INVITE_TTL_HOURS, groupsSchema, userNameSchema } from '../core/invites';

/**
 * The verifier's HTTP contract: one schema per request body. The handler parses with these, the
 * desktop client takes its types from them, and docs/api.md describes the same shapes.
 * Sizes are bounded so that no field can carry a large payload past the body limit's spirit.
 */
const b64url = (max: number) => z.string().min(1).max(max).regex(/^[A-Za-z0-9_-]*$/, 'base64url');
const id = z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/, 'an id');

// Strict down to the WebAuthn objects: a field we do not know is refused, never silently dropped.
export const assertionSchema = z.strictObject({
  id: b64url(1400),
  rawId: b64url(1400),
  type: z.literal('public-key'),
  response: z.strictObject({
    authenticatorData: b64url(4096),
    clientDataJSON: b64url(4096),
    signature: b64url(2048),
    userHandle: b64url(512).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

export const registrationSchema = z.strictObject({
  id: b64url(1400),
  rawId: b64url(1400),
  type: z.literal('public-key'),
  response: z.strictObject({
    clientDataJSON: b64url(4096),
    attestationObject: b64url(16_384),
    authenticatorData: b64url(8192).optional(),
    transports: z.array(z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'])).max(8).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: b64url(2048).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

const paramValue = z.union([z.string().max(4096), z.number(), z.boolean()]);
export const paramRecord = z.record(z.string().max(64), paramValue).refine((r) => Object.keys(r).length <= 50, 'at most 50 parameters');
const label = z.string().trim().min(1).max(64);

export const enrollOptionsBody = z.strictObject({ inviteCode: z.string().min(8).max(100) });
export const enrollVerifyBody = z.strictObject({ intentId: id, registration: registrationSchema, label });
export const unlockOptionsBody = z.strictObject({ userName: z.string().min(1).max(64) });
export const unlockVerifyBody = z.strictObject({ intentId: id, assertion: assertionSchema });
export const prepareRunBody = z.strictObject({ job: z.string().min(1).max(64), params: paramRecord.default({}) });
export const confirmRunBody = z.strictObject({ intentId: id, assertion: assertionSchema, secrets: paramRecord.default({}), mfaCode: z.string().max(16).optional() });
export const addKeyOptionsBody = z.strictObject({});
/** Adding a key: the new key's registration first, then the touch of an existing key approves exactly it. */
export const addKeyApprovalBody = z.strictObject({ intentId: id, registration: registrationSchema, label });
export const addKeyVerifyBody = z.strictObject({ intentId: id, assertion: assertionSchema });
export const revokeKeyOptionsBody = z.strictObject({ credentialId: b64url(1400), allowLastKey: z.boolean().default(false) });
export const revokeKeyVerifyBody = z.strictObject({ intentId: id, assertion: assertionSchema });
export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(500).optional(),
});
/** `intentId`: the run launched from that intent (a lost confirmation answer), not a page of all runs. */
export const runsQuery = pageQuery.extend({ intentId: id.optional() }).refine((q) => !(q.intentId && q.cursor), 'intentId takes no cursor');
export const runIdQuery = z.strictObject({ runId: id });
/**
 * A page of a run's output. The cursor is the launcher's own token (digits for local runs, a log
 * service's token for others): printable ASCII, bounded here; each launcher checks its own format.
 */
export const runOutputQuery = z.strictObject({
  runId: id,
  cursor: z.string().min(1).max(1024).regex(/^[\x21-\x7e]+$/, 'a cursor from a previous page').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export const cancelOptionsBody = z.strictObject({ runId: id });
export const cancelVerifyBody = z.strictObject({ runId: id, intentId: id, assertion: assertionSchema });
export const emptyQuery = z.strictObject({});
export const endSessionBody = z.strictObject({});

/** One admin action (issue 15 §4): exactly the action and its arguments; people by name. */
const role = z.enum(['admin', 'operator']);
export const adminActionBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('invite'), userName: userNameSchema, role: role.default('operator'), groups: groupsSchema.default([]), ttlHours: z.number().min(INVITE_TTL_HOURS.min).max(INVITE_TTL_HOURS.max).default(24) }),
  z.strictObject({ kind: z.literal('cancel_invite'), userName: userNameSchema }),
  z.strictObject({ kind: z.literal('disable'), userName: userNameSchema }),
  z.strictObject({ kind: z.literal('enable'), userName: userNameSchema }),
  z.strictObject({ kind: z.literal('revoke_key'), userName: userNameSchema, credentialId: b64url(1400) }),
  z.strictObject({ kind: z.literal('set_role'), userName: userNameSchema, role }),
  z.strictObject({ kind: z.literal('set_groups'), userName: userNameSchema, groups: groupsSchema }),
  z.strictObject({ kind: z.literal('approve_grant'), grantId: id }),
]);
export const adminOptionsBody = z.strictObject({ action: adminActionBody });
export const adminVerifyBody = z.strictObject({ intentId: id, assertion: assertionSchema });
/** Issue 16: pending requests and decisions on them (docs/api.md "Approvals"). */
export const requestIdQuery = z.strictObject({ requestId: id });
export const decisionOptionsBody = z.strictObject({ requestId: id });
/**
 * Issue 16 §2: a proposal. `reason` is shown to the approvers: attacker-controlled text, so one line of
 * printable characters, like a parameter (no control, format or bidi-override characters that could
 * reorder or fake lines of the review).
 */
const reason = z.string().trim().min(1).max(500).refine((r) => !/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(r), 'reason: one line of printable text (no control or bidirectional-override characters)');
export const proposalBody = z.strictObject({ job: z.string().min(1).max(64), params: paramRecord.default({}), reason });
export const decisionVerifyBody = z.strictObject({ requestId: id, intentId: id, assertion: assertionSchema });
