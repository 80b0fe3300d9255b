import { contextBridge, ipcRenderer } from 'electron';
import { DESKTOP_METHODS, LOCKED_EVENT, SHOW_REQUEST_EVENT, SHOW_RUN_EVENT, WAITING_EVENT, channelOf, type DesktopApi } from '../shared/desktopApi';

/**
 * The preload (sandboxed, context-isolated): exposes exactly DesktopApi as `window.keylaunch`. Each
 * method is one fixed channel; the renderer can neither name a channel nor reach ipcRenderer.
 */
export function createDesktopApi(): DesktopApi {
  const api: Record<string, unknown> = {};
  for (const method of DESKTOP_METHODS) {
    api[method] = (arg?: unknown) => ipcRenderer.invoke(channelOf(method), arg);
  }
  api.onLocked = (listener: (reason: string) => void) => {
    const wrapped = (_event: unknown, reason: unknown) => listener(String(reason));
    ipcRenderer.on(LOCKED_EVENT, wrapped);
    return () => ipcRenderer.removeListener(LOCKED_EVENT, wrapped);
  };
  api.onShowRun = (listener: (runId: string) => void) => {
    const wrapped = (_event: unknown, runId: unknown) => listener(String(runId));
    ipcRenderer.on(SHOW_RUN_EVENT, wrapped);
    return () => ipcRenderer.removeListener(SHOW_RUN_EVENT, wrapped);
  };
  api.onWaiting = (listener: (count: number) => void) => {
    const wrapped = (_event: unknown, count: unknown) => listener(Number(count) || 0);
    ipcRenderer.on(WAITING_EVENT, wrapped);
    return () => ipcRenderer.removeListener(WAITING_EVENT, wrapped);
  };
  api.onShowRequest = (listener: (requestId: string) => void) => {
    const wrapped = (_event: unknown, requestId: unknown) => listener(String(requestId));
    ipcRenderer.on(SHOW_REQUEST_EVENT, wrapped);
    return () => ipcRenderer.removeListener(SHOW_REQUEST_EVENT, wrapped);
  };
  return api as unknown as DesktopApi;
}

contextBridge.exposeInMainWorld('keylaunch', createDesktopApi());
