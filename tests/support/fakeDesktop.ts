import { DESKTOP_METHODS, type DesktopApi, type DesktopMethod, type DesktopResult } from '../../electron/shared/desktopApi';

type Handlers = Pick<DesktopApi, DesktopMethod>;
const notSet = async (): Promise<DesktopResult<never>> => ({ ok: false, error: { code: 'internal_error', message: 'not set in this test' } });

/**
 * A DesktopApi for component tests: each method answers what the test set, and records its calls
 * (except the key list screens read only to name keys in the touch sheet: it changes nothing).
 */
export function fakeDesktop(overrides: Partial<Handlers> = {}, o: { unrecorded?: string[] } = {}) {
  const unrecorded = new Set(o.unrecorded ?? ['listKeys']);
  const calls: [string, unknown][] = [];
  const api: Record<string, unknown> = { onLocked: () => () => undefined, onShowRun: () => () => undefined, onWaiting: () => () => undefined, onShowRequest: () => () => undefined };
  for (const name of DESKTOP_METHODS) {
    api[name] = async (arg: unknown) => {
      if (!unrecorded.has(name)) calls.push([name, arg]);
      return ((overrides[name] as ((a: unknown) => Promise<unknown>) | undefined) ?? notSet)(arg);
    };
  }
  return { desktop: api as unknown as DesktopApi, calls };
}
