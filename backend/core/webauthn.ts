import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { KeylaunchError } from './errors';
import { fromBase64Url, toBase64Url } from './encoding';
import { checkClientData, checkSignatureEncoding } from './strictAssertion';
import type { Credential } from './model';

/**
 * WebAuthn authentication, the only module besides webauthnRegistration.ts that talks to
 * @simplewebauthn/server. It adds what the protocol needs on top:
 * our own derived challenges, an explicit user-presence check, and errors that never echo library
 * messages (they can contain the expected challenge).
 */
export type { AuthenticationResponseJSON, RegistrationResponseJSON };
export type RequestOptions = PublicKeyCredentialRequestOptionsJSON;
export type CreationOptions = PublicKeyCredentialCreationOptionsJSON;

const FLAG_UP = 0x01;
/** The library wants plain ArrayBuffer-backed bytes, not a Buffer that may share a pool. */
export const bytes = (b64url: string) => new Uint8Array(fromBase64Url(b64url));
const FLAG_UV = 0x04;

export async function requestOptions(o: {
  rpId: string;
  challenge: string;
  allow: Pick<Credential, 'id' | 'transports'>[];
  userVerification: 'required' | 'discouraged';
  timeoutMs: number;
}): Promise<RequestOptions> {
  return generateAuthenticationOptions({
    rpID: o.rpId,
    challenge: bytes(o.challenge),
    allowCredentials: o.allow.map((c) => ({ id: c.id, transports: c.transports as AuthenticatorTransport[] })),
    userVerification: o.userVerification,
    timeout: o.timeoutMs,
  });
}

/** Flags byte of authenticatorData (offset 32), read by us so presence never rests on a library default. */
export function authenticatorFlags(authenticatorData: string): { up: boolean; uv: boolean } {
  const bytes = fromBase64Url(authenticatorData);
  if (bytes.length < 37) throw new KeylaunchError('verification_failed', 'The key response is malformed.');
  const flags = bytes[32]!;
  return { up: (flags & FLAG_UP) !== 0, uv: (flags & FLAG_UV) !== 0 };
}

export async function verifyAssertion(o: {
  response: AuthenticationResponseJSON;
  challenge: string;
  origins: string[];
  rpId: string;
  credential: Credential;
  requireUserVerification: boolean;
}): Promise<{ newCounter: number; userVerified: boolean }> {
  const flags = authenticatorFlags(o.response.response.authenticatorData);
  if (!flags.up) throw new KeylaunchError('verification_failed', 'The key did not report a touch (user presence).');
  if (o.requireUserVerification && !flags.uv) {
    throw new KeylaunchError('verification_failed', 'This job needs your key to verify you (PIN or biometric).');
  }
  checkClientData(o.response.response.clientDataJSON);
  checkSignatureEncoding({ publicKey: o.credential.publicKey, ...o.response.response });
  try {
    const result = await verifyAuthenticationResponse({
      response: o.response,
      expectedChallenge: o.challenge,
      expectedOrigin: o.origins,
      expectedRPID: o.rpId,
      expectedType: 'webauthn.get',
      requireUserVerification: o.requireUserVerification,
      // Counter policy is ours (docs/security.md, property 5, enforced by Store.advanceCounter): give the library 0 so
      // it checks the signature only, and a regression is reported as such, not as a generic failure.
      credential: { id: o.credential.id, publicKey: bytes(o.credential.publicKey), counter: 0 },
    });
    if (!result.verified) throw new Error('not verified');
    return { newCounter: result.authenticationInfo.newCounter, userVerified: result.authenticationInfo.userVerified };
  } catch (cause) {
    throw new KeylaunchError('verification_failed', 'The key response could not be verified for this request.', { cause });
  }
}

/**
 * The library's verification alone, for receipts (backend/receipt/verifyReceipt.ts). They check the
 * challenge, origin, rpId and flags themselves first, to say exactly which one failed, so once those
 * pass a `false` here means the signature does not verify with the key.
 */
export async function librarySignatureVerifies(o: {
  response: AuthenticationResponseJSON;
  challenge: string;
  origins: string[];
  rpId: string;
  credentialId: string;
  publicKey: string;
  requireUserVerification: boolean;
}): Promise<boolean> {
  try {
    const result = await verifyAuthenticationResponse({
      response: o.response,
      expectedChallenge: o.challenge,
      expectedOrigin: o.origins,
      expectedRPID: o.rpId,
      expectedType: 'webauthn.get',
      requireUserVerification: o.requireUserVerification,
      credential: { id: o.credentialId, publicKey: bytes(o.publicKey), counter: 0 },
    });
    return result.verified;
  } catch {
    return false;
  }
}
