import * as z from 'zod';
import { adminActionBody, assertionSchema, paramRecord, registrationSchema } from '../../backend/api/schemas';
import type { DesktopMethod } from './desktopApi';

/**
 * What main accepts from the renderer, per method (handlers take `unknown` and parse).
 * The renderer is treated as possibly compromised: nothing here can name a URL, path or channel beyond
 * what the method means.
 */
const params = paramRecord; // the verifier's own rule for parameters, so the two cannot drift
const intentId = z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/);
const none = z.undefined();
const runId = z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/);
const requestId = z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/);
const decision = z.enum(['approve', 'reject']);
/** Output copied or saved: the renderer keeps at most 5,000 lines; this bounds what main accepts (characters). */
export const MAX_SAVED_TEXT = 8 * 1024 * 1024;

export const desktopInputSchemas: Record<DesktopMethod, z.ZodType> = {
  status: none,
  importConfig: none,
  startEnrollment: z.strictObject({ inviteCode: z.string().min(8).max(100) }),
  finishEnrollment: z.strictObject({ intentId, registration: registrationSchema, label: z.string().trim().min(1).max(64) }),
  startUnlock: none,
  finishUnlock: z.strictObject({ intentId, assertion: assertionSchema }),
  lock: none,
  activity: none,
  listJobs: none,
  prepareRun: z.strictObject({ job: z.string().min(1).max(64), params }),
  confirmRun: z.strictObject({ intentId, assertion: assertionSchema, secrets: params, mfaCode: z.string().regex(/^\d{6}$/).optional() }),
  listRuns: z.strictObject({ limit: z.number().int().min(1).max(100).optional(), cursor: z.string().max(500).optional(), intentId: intentId.optional() }),
  getRun: z.strictObject({ runId }),
  runOutput: z.strictObject({ runId, cursor: z.string().min(1).max(2000).optional(), limit: z.number().int().min(1).max(1000).optional() }),
  startCancelRun: z.strictObject({ runId }),
  finishCancelRun: z.strictObject({ intentId, assertion: assertionSchema }),
  copyText: z.strictObject({ text: z.string().max(MAX_SAVED_TEXT) }),
  saveOutput: z.strictObject({ runId, text: z.string().max(MAX_SAVED_TEXT) }),
  listKeys: none,
  startAddKey: none,
  approveNewKey: z.strictObject({ intentId, registration: registrationSchema, label: z.string().trim().min(1).max(64) }),
  finishAddKey: z.strictObject({ intentId, assertion: assertionSchema }),
  startRevokeKey: z.strictObject({ credentialId: z.string().min(1).max(1400).regex(/^[A-Za-z0-9_-]+$/), allowLastKey: z.boolean() }),
  finishRevokeKey: z.strictObject({ intentId, assertion: assertionSchema }),
  listPeople: none,
  startAdminAction: z.strictObject({ action: adminActionBody }),
  finishAdminAction: z.strictObject({ intentId, assertion: assertionSchema }),
  listAudit: z.strictObject({ limit: z.number().int().min(1).max(100).optional(), cursor: z.string().min(1).max(500).optional() }),
  listRequests: none,
  getRequest: z.strictObject({ requestId }),
  startDecision: z.strictObject({ requestId, decision }),
  finishDecision: z.strictObject({ requestId, decision, intentId, assertion: assertionSchema }),
  openExternal: z.strictObject({ url: z.string().max(2048) }),
};
