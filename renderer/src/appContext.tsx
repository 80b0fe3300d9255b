import { createContext, useContext } from 'react';
import type { DesktopApi } from '../../electron/shared/desktopApi';
import type { Ceremony } from './ceremony';

/**
 * The renderer's composition root : the DesktopApi (window.keylaunch, from the preload) and
 * the WebAuthn ceremony. Tests give fakes that implement the same contracts.
 */
export interface AppDeps {
  desktop: DesktopApi;
  ceremony: Ceremony;
}

export const AppContext = createContext<AppDeps | null>(null);

export function useApp(): AppDeps {
  const deps = useContext(AppContext);
  if (!deps) throw new Error('AppContext missing');
  return deps;
}

declare global {
  interface Window {
    keylaunch: DesktopApi;
  }
}
