import { KeylaunchError } from './errors';
import { liveSession, type SessionClaims } from './session';
import { activeCredential } from './approval';
import type { RequestContext, VerifierDeps } from './deps';
import type { Credential, User } from './model';

export interface ActiveSession {
  claims: SessionClaims;
  user: User;
  credentials: Credential[];
  credential: Credential;
}

/**
 * Reads the session token and re-checks the user and the credential that unlocked, so a revoked key or
 * a disabled user loses every session at once. One Store read.
 */
export async function loadSession(deps: VerifierDeps, ctx: RequestContext): Promise<ActiveSession> {
  if (!ctx.session) throw new KeylaunchError('session_invalid', 'Unlock first: this needs a session.');
  const claims = liveSession(ctx.session, deps.clock.now());
  ctx.facts.userId = claims.uid;
  ctx.facts.userName = claims.name;
  ctx.facts.credentialId = claims.cid;
  const [loaded, ended] = await Promise.all([deps.store.getUserWithCredentials(claims.uid), deps.store.isSessionEnded(claims.sid)]);
  if (ended) throw new KeylaunchError('session_invalid', 'This session was ended when the desktop locked; unlock again.');
  const credential = activeCredential(loaded?.user, loaded?.credentials ?? [], claims.cid, [claims.cid]);
  return { claims, user: loaded!.user, credentials: loaded!.credentials, credential };
}

export function requireAdmin(session: ActiveSession): void {
  if (session.user.role !== 'admin') throw new KeylaunchError('not_authorized', 'Only an admin may do this.');
}
