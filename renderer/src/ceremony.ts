import { WebAuthnAbortService, startAuthentication, startRegistration } from '@simplewebauthn/browser';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/browser';

/**
 * The touch itself: Chromium's WebAuthn talks to the key. Every wait is bounded (without a key a
 * ceremony would wait forever) and can be cancelled. Failures come back as codes the UI explains.
 */
export type CeremonyFailure = 'timeout' | 'cancelled' | 'not_allowed' | 'already_registered' | 'unsupported';

export class CeremonyError extends Error {
  constructor(readonly code: CeremonyFailure) {
    super(code);
  }
}

export interface Ceremony {
  authenticate(options: PublicKeyCredentialRequestOptionsJSON, o: { deadline: number; signal: AbortSignal }): Promise<AuthenticationResponseJSON>;
  register(options: PublicKeyCredentialCreationOptionsJSON, o: { deadline: number; signal: AbortSignal }): Promise<RegistrationResponseJSON>;
}

async function bounded<T>(run: () => Promise<T>, o: { deadline: number; signal: AbortSignal }): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      WebAuthnAbortService.cancelCeremony();
      reject(new CeremonyError('timeout'));
    }, Math.max(0, o.deadline - Date.now()));
    onAbort = () => {
      WebAuthnAbortService.cancelCeremony();
      reject(new CeremonyError('cancelled'));
    };
    if (o.signal.aborted) onAbort();
    else o.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([run(), stop]);
  } catch (e) {
    if (e instanceof CeremonyError) throw e;
    const name = (e as { name?: string; cause?: { name?: string } }).cause?.name ?? (e as { name?: string }).name;
    if (name === 'InvalidStateError') throw new CeremonyError('already_registered');
    if (name === 'NotSupportedError' || name === 'SecurityError') throw new CeremonyError('unsupported');
    if (name === 'AbortError') throw new CeremonyError('cancelled');
    throw new CeremonyError('not_allowed'); // NotAllowedError: cancelled at the OS prompt, or no matching key
  } finally {
    clearTimeout(timer);
    if (onAbort) o.signal.removeEventListener('abort', onAbort);
  }
}

export const browserCeremony: Ceremony = {
  authenticate: (optionsJSON, o) => bounded(() => startAuthentication({ optionsJSON }), o),
  register: (optionsJSON, o) => bounded(() => startRegistration({ optionsJSON }), o),
};
