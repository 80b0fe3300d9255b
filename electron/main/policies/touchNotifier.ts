/** "Touch your security key" as an OS notification, only when the window is not in front. */
export function createTouchNotifier(o: {
  window: () => { isFocused(): boolean; isDestroyed(): boolean } | undefined;
  notify: (title: string, body: string) => void;
}) {
  return (what: string) => {
    const w = o.window();
    if (!w || w.isDestroyed() || w.isFocused()) return;
    o.notify('Touch your security key', `keylaunch is waiting for a touch to ${what}.`);
  };
}
