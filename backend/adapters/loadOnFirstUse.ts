/**
 * Something loaded on first use and kept once it has loaded. A load that fails is not kept: the next
 * call tries again, so one bad moment (a chunk that failed to load, a throttled call at start) does not
 * break that path on a warm Lambda instance until its next cold start.
 */
export function loadOnFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}
