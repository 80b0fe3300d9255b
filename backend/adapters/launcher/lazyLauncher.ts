import type { Launcher } from '../../core/ports';

/**
 * A launcher loaded on first use. Most requests (unlock, listing, prepare) launch nothing, so a cold
 * start need not load every AWS client; each launcher's module is its own chunk of the Lambda bundle.
 */
export function lazyLauncher(load: () => Promise<Launcher>, o: { status: boolean }): Launcher {
  let loading: Promise<Launcher> | undefined;
  const get = () => (loading ??= load());
  return {
    launch: async (request) => (await get()).launch(request),
    ...(o.status ? { status: async (details) => (await get()).status!(details) } : {}),
  };
}
