import { useEffect } from 'react';

/**
 * On every screen change: the window title says where the person is, and focus lands on the new
 * screen (its own autofocus control, else its heading) instead of falling to the page body, so a
 * keyboard or screen-reader user starts at the top of what they just opened.
 */
export function useScreenFocus(view: string, title: string) {
  useEffect(() => {
    document.title = title;
    const active = document.activeElement;
    const main = document.querySelector('main');
    if (active && active !== document.body && active.isConnected && main?.contains(active)) return;
    const heading = main?.querySelector<HTMLElement>('h1');
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
  }, [view, title]);
}
