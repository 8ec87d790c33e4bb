/**
 * Runs `task` over `items`, at most `limit` at a time, in order of start. Stops starting new tasks
 * after the first failure, waits for the running ones to settle, then throws that first failure:
 * nothing keeps reading the archive after the caller has moved on.
 */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { readonly error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) {
    throw failure.error;
  }
}
