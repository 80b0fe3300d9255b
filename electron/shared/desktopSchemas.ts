import * as z from 'zod';
import { assertionSchema, paramRecord, registrationSchema } from '../../backend/api/schemas';
import type { DesktopMethod } from './desktopApi';

/**
 * What main accepts from the renderer, per method (handlers take `unknown` and parse).
 * The renderer is treated as possibly compromised: nothing here can name a URL, path or channel beyond
 * what the method means.
 */
const params = paramRecord; // the verifier's own rule for parameters, so the two cannot drift
const intentId = z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/);
const none = z.undefined();

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
  getRun: z.strictObject({ runId: z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/) }),
  listKeys: none,
  startAddKey: none,
  finishAddKey: z.strictObject({ intentId, assertion: assertionSchema, registration: registrationSchema, label: z.string().trim().min(1).max(64) }),
  startRevokeKey: z.strictObject({ credentialId: z.string().min(1).max(1400).regex(/^[A-Za-z0-9_-]+$/), allowLastKey: z.boolean() }),
  finishRevokeKey: z.strictObject({ intentId, assertion: assertionSchema }),
  openExternal: z.strictObject({ url: z.string().max(2048) }),
};
