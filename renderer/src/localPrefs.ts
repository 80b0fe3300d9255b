/**
 * What the desktop remembers between restarts, in the app origin's localStorage: the theme, and whether
 * a key of this person was ever used here (then unlock comes first; else enrollment). Nothing secret.
 */
export type Theme = 'system' | 'light' | 'dark';
const THEME = 'keylaunch.theme';
const KNOWN = 'keylaunch.enrolled.';

const store = (): Storage | undefined => {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage refused: preferences just do not persist
  }
};

export function loadTheme(): Theme {
  const t = store()?.getItem(THEME);
  return t === 'light' || t === 'dark' ? t : 'system';
}
export function saveTheme(t: Theme) {
  store()?.setItem(THEME, t);
}
export const knowsKey = (userName: string) => store()?.getItem(KNOWN + userName) === '1';
export const rememberKey = (userName: string) => store()?.setItem(KNOWN + userName, '1');
export const forgetKey = (userName: string) => store()?.removeItem(KNOWN + userName);

const PINNED = 'keylaunch.pinned';
/** Jobs the person pinned: first in the list and in the palette. */
export function loadPinned(): string[] {
  try {
    const v: unknown = JSON.parse(store()?.getItem(PINNED) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, 100) : [];
  } catch {
    return []; // a damaged value: no pins, never a crash
  }
}
export function savePinned(names: string[]) {
  store()?.setItem(PINNED, JSON.stringify(names));
}
