import { useEffect, useState } from 'react';
import type { KnownKey } from './components/TouchPrompt';
import { useApp } from './appContext';

/**
 * The person's usable keys by label, so the touch sheet can name the ones that can answer. Best effort:
 * without them the sheet says "one of your registered keys".
 */
export function useMyKeys(): KnownKey[] | undefined {
  const { desktop } = useApp();
  const [keys, setKeys] = useState<KnownKey[] | undefined>();
  useEffect(() => {
    let live = true;
    void desktop.listKeys().then((r) => {
      if (live && r.ok) setKeys(r.value.keys.filter((k) => !k.revokedAt && !k.suspendedAt).map((k) => ({ id: k.id, label: k.label })));
    });
    return () => {
      live = false;
    };
  }, [desktop]);
  return keys;
}
