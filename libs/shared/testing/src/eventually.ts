export interface EventuallyOptions {
  /** Give up after this long. Default 10 s. */
  readonly timeoutMs?: number;
  /** Pause between probes. Default 20 ms. */
  readonly intervalMs?: number;
  /** What is awaited, for the failure message. */
  readonly what?: string;
}

/**
 * Polls `probe` until it neither throws nor returns `false`, and returns its result. Assertions
 * inside the probe make good conditions: on timeout the last failure is reported (as the cause).
 * This replaces fixed sleeps: a test waits exactly as long as the condition takes, up to a deadline.
 */
export async function eventually<T>(probe: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<Exclude<T, false>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastFailure: unknown;
  for (;;) {
    try {
      const result = await probe();
      if (result !== false) {
        return result as Exclude<T, false>;
      }
      lastFailure = undefined;
    } catch (error) {
      lastFailure = error;
    }
    if (Date.now() >= deadline) {
      const what = options.what ?? 'condition';
      const detail = lastFailure instanceof Error ? ` Last failure: ${lastFailure.message}` : ' The probe kept returning false.';
      throw new Error(`${what} did not hold within ${timeoutMs} ms.${detail}`, { cause: lastFailure });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
