import { generateRegistrationOptions, verifyRegistrationResponse, type AuthenticatorTransport } from '@simplewebauthn/server';
import { KeylaunchError } from './errors';
import { checkClientData } from './strictAssertion';
import { toBase64Url } from './encoding';
import { bytes, type CreationOptions, type RegistrationResponseJSON } from './webauthn';
import type { Credential } from './model';

/**
 * WebAuthn registration: enrolling and adding a key. Kept apart from authentication because it brings
 * the library's attestation stack (X.509, ASN.1, root certificates), which only these two rare routes
 * need: callers load this module on first use (`await import`), so a cold start that only unlocks and
 * runs never loads it. build/lambdaColdStart.ts fails the build if it comes back on the start path.
 */
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
