import { liveSession } from './session';
import { KeylaunchError } from './errors';
import type { RequestContext, VerifierDeps } from './deps';

/**
 * `POST /v1/session/end`: the desktop locked, so its token dies here too, not only in its memory. The
 * token is recorded as ended until it would have expired; loadSession refuses it from then on. Ending
 * needs only a genuine token (an expired one is already dead), not a live user or key.
 */
export async function endSession(deps: VerifierDeps, ctx: RequestContext): Promise<{ ended: true }> {
  await ctx.gate;
  if (!ctx.session) throw new KeylaunchError('session_invalid', 'No session to end.');
  const claims = liveSession(ctx.session, deps.clock.now());
  ctx.facts.userId = claims.uid;
  ctx.facts.userName = claims.name;
  ctx.facts.credentialId = claims.cid;
  await deps.store.endSession(claims.sid, claims.exp);
  return { ended: true };
}
