import type { VerifierConfig } from './config';
import type { JobType } from './job';
import type { AuditEntry } from './model';
import type { SessionClaims } from './session';
import type { Clock, JobCatalog, Launcher, Notifier, Random, Store } from './ports';

/** Everything the verifier core depends on: read createVerifier.ts's callers to see every adapter. */
export interface VerifierDeps {
  config: VerifierConfig;
  store: Store;
  catalog: JobCatalog;
  launchers: Partial<Record<JobType, Launcher>>;
  clock: Clock;
  random: Random;
  /** Issue 16 §3: outbound notifications, when the deploy settings or local config name destinations. */
  notifier?: Notifier;
  /** Operator-facing log (CloudWatch in AWS): causes that are never returned to a caller. */
  log: (message: string, error?: unknown) => void;
}

/**
 * One request as the core sees it. `facts` collects who and what the request concerned as the core
 * learns it, so the audit entry for the request (accepted or refused) can name them.
 * `gate` is the rate-limit check, started by the API layer: operations await it before any effect.
 */
export interface RequestContext {
  sourceIp: string;
  /** The claims of the request's session token, its MAC checked once at the edge (expiry not yet). */
  session?: SessionClaims;
  /** Issue 16 §2: an `Authorization: Proposer …` token, unchecked (core/proposals.ts checks it). Never with a session. */
  proposerToken?: string;
  gate: Promise<void>;
  facts: AuditFacts;
}

export type AuditFacts = Partial<Pick<AuditEntry, 'userId' | 'userName' | 'credentialId' | 'job' | 'runId' | 'fingerprint' | 'detail'>>;
