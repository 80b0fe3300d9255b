import type { Launcher } from '../../core/ports';
import { loadOnFirstUse } from '../loadOnFirstUse';

/**
 * A launcher loaded on first use. Most requests (unlock, listing, prepare) launch nothing, so a cold
 * start need not load every AWS client; each launcher's module is its own chunk of the Lambda bundle.
 */
export function lazyLauncher(load: () => Promise<Launcher>, o: { status: boolean; output?: boolean; cancel?: boolean }): Launcher {
  const get = loadOnFirstUse(load);
  return {
    launch: async (request) => (await get()).launch(request),
    ...(o.status ? { status: async (details) => (await get()).status!(details) } : {}),
    ...(o.output ? { output: async (details, request) => (await get()).output!(details, request) } : {}),
    ...(o.cancel ? { cancel: async (details, request) => (await get()).cancel!(details, request) } : {}),
  };
}
