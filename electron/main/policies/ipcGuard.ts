import type { z } from 'zod';
import { DESKTOP_METHODS, channelOf, type DesktopMethod, type DesktopResult } from '../../shared/desktopApi';

/**
 * IPC from the renderer, distrusted : a message is handled only if it comes from our
 * window's main frame at the app origin, and only after its argument parses with the method's schema.
 */
export interface IpcEventLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, arg: unknown) => Promise<unknown>): void;
}

export function isTrustedSender(event: IpcEventLike, o: { appOrigin: string; webContentsId: () => number | undefined }): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (event.sender.id !== o.webContentsId()) return false;
  try {
    return new URL(frame.url).origin === o.appOrigin;
  } catch {
    return false;
  }
}

export function registerDesktopIpc(o: {
  ipcMain: IpcMainLike;
  appOrigin: () => string;
  webContentsId: () => number | undefined;
  schemas: Record<DesktopMethod, z.ZodType>;
  handlers: Record<DesktopMethod, (arg: never) => Promise<DesktopResult<unknown>>>;
  log?: (m: string) => void;
}): void {
  for (const method of DESKTOP_METHODS) {
    o.ipcMain.handle(channelOf(method), async (event, arg): Promise<DesktopResult<unknown>> => {
      if (!isTrustedSender(event, { appOrigin: o.appOrigin(), webContentsId: o.webContentsId })) {
        o.log?.(`refused IPC ${method} from ${event.senderFrame?.url ?? 'an unknown frame'}`);
        return { ok: false, error: { code: 'bad_request', message: 'Not from the app window.' } };
      }
      const parsed = o.schemas[method].safeParse(arg);
      if (!parsed.success) return { ok: false, error: { code: 'bad_request', message: `Invalid arguments for ${method}.` } };
      try {
        return await o.handlers[method](parsed.data as never);
      } catch (e) {
        o.log?.(`IPC ${method} failed: ${(e as Error).message}`);
        return { ok: false, error: { code: 'internal_error', message: 'The app failed to do that.' } };
      }
    });
  }
}
