import { createDesktopHandlers, type HandlerDeps } from '../../electron/main/desktopHandlers';
import { createSessionHolder } from '../../electron/main/sessionHolder';
import { createVerifierClient } from '../../electron/main/verifierClient';
import { configState, parseDesktopConfig } from '../../electron/main/desktopConfig';
import { createApprovalGate, type AskPerson } from '../../electron/main/approvalGate';
import { ORIGIN, RP_ID, type Harness } from './harness';
import type { SoftAuthenticator } from './softAuthenticator';

/**
 * Main's real DesktopApi handlers for one person, unlocked with their key: the desktop config the app
 * would load, its verifier client (at `verifierUrl`, the harness or a network in front of it), the
 * approval gate answering with `ask` (main's native dialog, as the person would), and a session held on
 * the harness's clock.
 */
export async function unlockedDesktop(o: { h: Harness; user: { name: string; authenticator: SoftAuthenticator }; ask: AskPerson; verifierUrl?: string; more?: Pick<HandlerDeps, 'runStarted'> }) {
  const loaded = configState(parseDesktopConfig(JSON.stringify({ verifierUrl: ORIGIN, rpId: RP_ID, userName: o.user.name })));
  const current = { config: loaded.config!, client: createVerifierClient({ ...loaded.config!, verifierUrl: o.verifierUrl ?? o.h.url }) };
  const approvals = createApprovalGate({ ask: o.ask, now: () => o.h.clock.now() });
  const session = createSessionHolder({ onLocked: () => undefined, timers: { now: () => o.h.clock.now(), setTimeout: () => 0, clearTimeout: () => undefined } });
  const handlers = createDesktopHandlers({
    current: () => current,
    configState: () => loaded.state,
    importConfig: async () => undefined,
    session,
    approvals,
    touchExpected: () => undefined,
    openExternal: async () => false,
    ...o.more,
  });
  const unlock = await handlers.startUnlock();
  if (!unlock.ok) throw new Error(JSON.stringify(unlock));
  const unlocked = await handlers.finishUnlock({ intentId: unlock.value.intentId, assertion: o.user.authenticator.assert(unlock.value.options) });
  if (!unlocked.ok) throw new Error(JSON.stringify(unlocked));
  return handlers;
}
