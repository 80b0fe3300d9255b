import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
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
 * The only module that talks to @simplewebauthn/server. It adds what the protocol needs on top:
 * our own derived challenges, an explicit user-presence check, and errors that never echo library
 * messages (they can contain the expected challenge).
 */
export type { AuthenticationResponseJSON, RegistrationResponseJSON };
export type RequestOptions = PublicKeyCredentialRequestOptionsJSON;
export type CreationOptions = PublicKeyCredentialCreationOptionsJSON;

const FLAG_UP = 0x01;
/** The library wants plain ArrayBuffer-backed bytes, not a Buffer that may share a pool. */
const bytes = (b64url: string) => new Uint8Array(fromBase64Url(b64url));
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

export async function creationOptions(o: {
  rpId: string;
  rpName: string;
  challenge: string;
  userId: string;
  userName: string;
  exclude: Pick<Credential, 'id' | 'transports'>[];
  timeoutMs: number;
}): Promise<CreationOptions> {
  return generateRegistrationOptions({
    rpID: o.rpId,
    rpName: o.rpName,
    challenge: bytes(o.challenge),
    userID: new TextEncoder().encode(o.userId),
    userName: o.userName,
    attestationType: 'none',
    excludeCredentials: o.exclude.map((c) => ({ id: c.id, transports: c.transports as AuthenticatorTransport[] })),
    // A roaming security key, not a passkey in a password manager: non-discoverable, presence by default.
    authenticatorSelection: { residentKey: 'discouraged', userVerification: 'discouraged', authenticatorAttachment: 'cross-platform' },
    supportedAlgorithmIDs: [-7, -8, -257],
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
      // Counter policy is ours (protocol.md §5, enforced by Store.advanceCounter): give the library 0 so
      // it checks the signature only, and a regression is reported as such, not as a generic failure.
      credential: { id: o.credential.id, publicKey: bytes(o.credential.publicKey), counter: 0 },
    });
    if (!result.verified) throw new Error('not verified');
    return { newCounter: result.authenticationInfo.newCounter, userVerified: result.authenticationInfo.userVerified };
  } catch (cause) {
    throw new KeylaunchError('verification_failed', 'The key response could not be verified for this request.', { cause });
  }
}

export async function verifyRegistration(o: {
  response: RegistrationResponseJSON;
  challenge: string;
  origins: string[];
  rpId: string;
}): Promise<Pick<Credential, 'id' | 'publicKey' | 'counter' | 'aaguid' | 'transports'>> {
  checkClientData(o.response.response.clientDataJSON);
  let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    result = await verifyRegistrationResponse({
      response: o.response,
      expectedChallenge: o.challenge,
      expectedOrigin: o.origins,
      expectedRPID: o.rpId,
      expectedType: 'webauthn.create',
      requireUserVerification: false,
      requireUserPresence: true, // said explicitly: enrollment needs the touch too
      supportedAlgorithmIDs: [-7, -8, -257],
    });
  } catch (cause) {
    throw new KeylaunchError('verification_failed', 'The new key could not be verified for this request.', { cause });
  }
  if (!result.verified || !result.registrationInfo) {
    throw new KeylaunchError('verification_failed', 'The new key could not be verified for this request.');
  }
  const info = result.registrationInfo;
  return {
    id: info.credential.id,
    publicKey: toBase64Url(info.credential.publicKey),
    counter: info.credential.counter,
    aaguid: info.aaguid,
    transports: (o.response.response.transports ?? []).slice(0, 8),
  };
}
