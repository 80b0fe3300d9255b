import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/browser';
import type { DesktopResult } from '../../electron/shared/desktopApi';
import { CeremonyError } from './ceremony';
import { useApp } from './appContext';

/**
 * One touch-approved action as a small state machine: waiting for the touch (with a deadline),
 * verifying, done, or failed with a code. Failures are values the UI explains, never exceptions.
 */
export type TouchState =
  | { phase: 'idle' }
  | { phase: 'working'; label: string }
  | { phase: 'waiting'; deadline: number; prompt: string; wait: TouchWait }
  | { phase: 'paused'; prompt: string; action: string }
  | { phase: 'verifying' }
  | { phase: 'done' }
  /** The person stopped it: not a failure, nothing was approved. */
  | { phase: 'cancelled' }
  | { phase: 'failed'; code: string; message: string; details?: Record<string, unknown> };

/** What the sheet says while a key blinks, beyond the prompt: which keys can answer, PIN or not, what is approved. */
export interface TouchWait {
  /** Credential ids the verifier allows (empty: any key, e.g. a new one being registered). */
  allow: string[];
  /** The key will ask for its PIN or biometric. */
  pin: boolean;
  /** A new key is being registered (no existing key can answer). */
  newKey?: boolean;
  /** What the touch approves, in one line, and its fingerprint. */
  summary?: string;
  fingerprint?: string;
}

/** While a flow is under way the screen's controls are held (a second click must not start another). */
export const isBusy = (state: TouchState) => state.phase === 'working' || state.phase === 'waiting' || state.phase === 'paused' || state.phase === 'verifying';

export class FlowError extends Error {
  constructor(readonly code: string, message: string, readonly details?: Record<string, unknown>) {
    super(message);
  }
}

/** The value of a DesktopResult, or a FlowError carrying its code. */
export function unwrap<T>(result: DesktopResult<T>): T {
  if (result.ok) return result.value;
  throw new FlowError(result.error.code, result.error.message, result.error.details);
}

const allowedKeys = (wait: TouchWait | undefined) => (wait && !wait.newKey ? { details: { allow: wait.allow } } : {});

export interface Touch {
  get(options: PublicKeyCredentialRequestOptionsJSON, expiresAt: number, prompt?: string, about?: { summary?: string; fingerprint?: string }): Promise<AuthenticationResponseJSON>;
  create(options: PublicKeyCredentialCreationOptionsJSON, expiresAt: number, prompt?: string): Promise<RegistrationResponseJSON>;
  working(label: string): void;
  /** Waits for the person to say they are ready (e.g. after swapping keys); cancellable. */
  pause(prompt: string, action: string): Promise<void>;
}

export function useTouchFlow() {
  const { ceremony } = useApp();
  const [state, setStateNow] = useState<TouchState>({ phase: 'idle' });
  const controller = useRef<AbortController | undefined>(undefined);
  const resumer = useRef<(() => void) | undefined>(undefined);
  const lastWait = useRef<TouchWait | undefined>(undefined);
  // A flow belongs to its screen: leaving the screen aborts it, and its result is dropped (a touch
  // that lands after the person left must not launch and then pull them to a result elsewhere).
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      controller.current?.abort();
    };
  }, []);
  const setState = useCallback((s: TouchState) => {
    if (mounted.current) setStateNow(s);
  }, []);

  const run = useCallback(
    async <T,>(flow: (touch: Touch) => Promise<T>): Promise<T | undefined> => {
      // One flow at a time: a second click or Enter while one is under way starts nothing. (The screen's
      // controls stay enabled, so focus is not lost; the modal touch sheet makes them inert meanwhile.)
      if (controller.current) return undefined;
      const abort = new AbortController();
      controller.current = abort;
      lastWait.current = undefined;
      const touch: Touch = {
        async get(options, expiresAt, prompt = 'Touch your security key', about = {}) {
          const wait: TouchWait = { allow: (options.allowCredentials ?? []).map((c) => c.id), pin: options.userVerification === 'required', ...about };
          lastWait.current = wait;
          setState({ phase: 'waiting', deadline: expiresAt, prompt, wait });
          const r = await ceremony.authenticate(options, { deadline: expiresAt, signal: abort.signal });
          // An answer that lands after a cancel or after the screen went is not used: nothing is confirmed.
          if (abort.signal.aborted) throw new CeremonyError('cancelled');
          setState({ phase: 'verifying' });
          return r;
        },
        async create(options, expiresAt, prompt = 'Touch the key you are adding') {
          setState({ phase: 'waiting', deadline: expiresAt, prompt, wait: { allow: [], pin: options.authenticatorSelection?.userVerification === 'required', newKey: true } });
          const r = await ceremony.register(options, { deadline: expiresAt, signal: abort.signal });
          if (abort.signal.aborted) throw new CeremonyError('cancelled');
          setState({ phase: 'verifying' });
          return r;
        },
        working: (label) => setState({ phase: 'working', label }),
        pause: (prompt, action) =>
          new Promise<void>((resolve, reject) => {
            setState({ phase: 'paused', prompt, action });
            resumer.current = resolve;
            abort.signal.addEventListener('abort', () => reject(new CeremonyError('cancelled')), { once: true });
          }),
      };
      try {
        const value = await flow(touch);
        if (!mounted.current) return undefined;
        setState({ phase: 'done' });
        return value;
      } catch (e) {
        if (e instanceof CeremonyError && e.code === 'cancelled') setState({ phase: 'cancelled' });
        // A key that is not registered answers "not allowed" like a refused touch: keep which keys could
        // have answered, so the sheet can name them.
        else if (e instanceof CeremonyError) setState({ phase: 'failed', code: e.code, message: e.message, ...allowedKeys(lastWait.current as TouchWait | undefined) });
        else if (e instanceof FlowError) setState({ phase: 'failed', code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) });
        else setState({ phase: 'failed', code: 'internal_error', message: (e as Error).message });
        return undefined;
      } finally {
        if (controller.current === abort) controller.current = undefined;
      }
    },
    [ceremony, setState],
  );

  const cancel = useCallback(() => controller.current?.abort(), []);
  const resume = useCallback(() => {
    resumer.current?.();
    resumer.current = undefined;
  }, []);
  const reset = useCallback(() => setState({ phase: 'idle' }), [setState]);
  return { state, run, cancel, resume, reset };
}
