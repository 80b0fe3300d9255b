import type { DesktopApi, DesktopResult } from '../../electron/shared/desktopApi';

type Handlers = Omit<DesktopApi, 'onLocked'>;
const notSet = async (): Promise<DesktopResult<never>> => ({ ok: false, error: { code: 'internal_error', message: 'not set in this test' } });

/** A DesktopApi for component tests: each method answers what the test set, and records its calls. */
export function fakeDesktop(overrides: Partial<Handlers> = {}) {
  const calls: [string, unknown][] = [];
  const api: Record<string, unknown> = { onLocked: () => () => undefined };
  const names: (keyof Handlers)[] = ['status', 'importConfig', 'startEnrollment', 'finishEnrollment', 'startUnlock', 'finishUnlock', 'lock', 'listJobs', 'prepareRun', 'confirmRun', 'listRuns', 'getRun', 'listKeys', 'startAddKey', 'approveNewKey', 'finishAddKey', 'startRevokeKey', 'finishRevokeKey', 'openExternal', 'listPeople', 'startAdminAction', 'finishAdminAction'];
  for (const name of names) {
    api[name] = async (arg: unknown) => {
      calls.push([name, arg]);
      return ((overrides[name] as ((a: unknown) => Promise<unknown>) | undefined) ?? notSet)(arg);
    };
  }
  return { desktop: api as unknown as DesktopApi, calls };
}
