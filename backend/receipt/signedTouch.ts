import { fromBase64Url, sha256 } from '../core/encoding';
import { checkClientData, checkSignatureEncoding } from '../core/strictAssertion';
import { authenticatorFlags, librarySignatureVerifies } from '../core/webauthn';
import type { ReceiptProblem, TrustedKey } from './verifyReceipt';
import * as z from 'zod';

/**
 * What every touch in a receipt must show, whoever made it (the requester's over the run intent, or an
 * approver's over a decision: backend/receipt/verifyApprovals.ts): a get ceremony at the verifier's
 * origin, in no cross-origin frame, for its rpId, with a touch (and UV when required), over exactly the
 * derived challenge, with a canonical signature by the trusted key.
 */

export class Refusal extends Error {
  constructor(
    readonly problem: ReceiptProblem,
    readonly reason: string,
  ) {
    super(reason);
  }
}
export const refuse = (problem: ReceiptProblem, reason: string): never => {
  throw new Refusal(problem, reason);
};

export interface Touch {
  credentialId: string;
  authenticatorData: string;
  clientDataJSON: string;
  signature: string;
  userHandle?: string | undefined;
}

const clientDataSchema = z.object({ type: z.string(), challenge: z.string(), origin: z.string() });

/** `who` prefixes each reason ("" for the run's own receipt, "Approval by bob: " for an approver's). */
export async function checkTouch(o: {
  touch: Touch;
  challenge: string;
  key: TrustedKey;
  rpId: string;
  origins: string[];
  intentOrigins: string[];
  intentRpId: string;
  requireUserVerification: boolean;
  who?: string;
}): Promise<{ origin: string; userVerified: boolean }> {
  const who = o.who ?? '';
  const { touch } = o;
  const clientData = readClientData(touch.clientDataJSON, who);
  if (clientData.type !== 'webauthn.get') refuse('wrong_type', `${who}The key signed a "${clientData.type}" ceremony, not "webauthn.get".`);
  if (!o.origins.includes(clientData.origin)) refuse('wrong_origin', `${who}The key signed for origin ${clientData.origin}, not this verifier's (${o.origins.join(', ')}).`);
  if (!o.intentOrigins.includes(clientData.origin)) refuse('wrong_origin', `${who}The key signed for origin ${clientData.origin}, which the intent does not name.`);
  try {
    checkClientData(touch.clientDataJSON);
  } catch {
    refuse('cross_origin', `${who}The key response was made in a cross-origin frame (crossOrigin or topOrigin).`);
  }
  const authData = fromBase64Url(touch.authenticatorData);
  if (authData.length < 37) refuse('receipt_malformed', `${who}authenticatorData is shorter than 37 bytes.`);
  if (o.intentRpId !== o.rpId) refuse('wrong_rp_id', `${who}The intent names rpId ${o.intentRpId}, not this verifier's (${o.rpId}).`);
  if (!authData.subarray(0, 32).equals(sha256(o.rpId))) refuse('wrong_rp_id', `${who}authenticatorData is for another rpId, not ${o.rpId}.`);
  const flags = authenticatorFlags(touch.authenticatorData);
  if (!flags.up) refuse('no_user_presence', `${who}The key did not report a touch (user presence).`);
  if (o.requireUserVerification && !flags.uv) refuse('no_user_verification', `${who}The job required user verification (PIN or biometric) and the key did not report it.`);

  if (clientData.challenge !== o.challenge) refuse('challenge_mismatch', `${who}The key signed a challenge that is not derived from this intent and nonce.`);

  const response = {
    id: touch.credentialId,
    rawId: touch.credentialId,
    type: 'public-key' as const,
    clientExtensionResults: {},
    response: { authenticatorData: touch.authenticatorData, clientDataJSON: touch.clientDataJSON, signature: touch.signature, ...(touch.userHandle ? { userHandle: touch.userHandle } : {}) },
  };
  const valid = await librarySignatureVerifies({
    response,
    challenge: o.challenge,
    origins: [clientData.origin],
    rpId: o.rpId,
    credentialId: o.key.credentialId,
    publicKey: o.key.publicKey,
    requireUserVerification: o.requireUserVerification,
  });
  if (!valid) refuse('bad_signature', `${who}The signature does not verify with key ${short(o.key.credentialId)} (${o.key.label}) from the verifier's records.`);
  try {
    checkSignatureEncoding({ publicKey: o.key.publicKey, ...response.response });
  } catch {
    refuse('signature_not_der', `${who}The signature verifies only leniently: it is not canonical DER (extra or non-minimal bytes).`);
  }
  return { origin: clientData.origin, userVerified: flags.uv };
}

function readClientData(b64: string, who: string): z.infer<typeof clientDataSchema> {
  let json: unknown;
  try {
    json = JSON.parse(fromBase64Url(b64).toString('utf8'));
  } catch {
    return refuse('receipt_malformed', `${who}clientDataJSON is not JSON.`);
  }
  const parsed = clientDataSchema.safeParse(json);
  if (!parsed.success) return refuse('receipt_malformed', `${who}clientDataJSON lacks its type, challenge or origin.`);
  return parsed.data;
}

export const short = (id: string) => (id.length > 12 ? `${id.slice(0, 12)}…` : id);
