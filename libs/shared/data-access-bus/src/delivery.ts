import { DEAD_LETTER_HEADERS, type DeliveredMessage, type OutgoingMessage } from '@quiver/shared-ports';

export const DEFAULT_MAX_ATTEMPTS = 5;
const MAX_ERROR_HEADER_LENGTH = 2000;

export type HandleOutcome =
  | { readonly handled: true }
  | { readonly handled: false; readonly error: unknown; readonly attempts: number };

export interface RetryPolicy {
  readonly maxAttempts: number;
  /** Milliseconds to wait after the given failed attempt (1-based). */
  readonly backoffMs: (failedAttempt: number) => number;
  /** Runs before each retry (Kafka uses it to heartbeat while a message is being retried). */
  readonly beforeRetry?: () => Promise<void>;
}

export function validMaxAttempts(maxAttempts: number | undefined): number {
  const value = maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`maxAttempts must be a positive integer, not ${String(maxAttempts)}.`);
  }
  return value;
}

/** Exponential backoff from `initialMs`, doubling per failed attempt, capped at `maxMs`. */
export const exponentialBackoff =
  (initialMs: number, maxMs: number) =>
  (failedAttempt: number): number =>
    Math.min(initialMs * 2 ** (failedAttempt - 1), maxMs);

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `handle` until it resolves or `maxAttempts` calls have failed. Never rejects. */
export async function handleWithRetries(
  message: DeliveredMessage,
  handle: (message: DeliveredMessage) => Promise<void>,
  policy: RetryPolicy,
): Promise<HandleOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await handle(message);
      return { handled: true };
    } catch (error) {
      if (attempt >= policy.maxAttempts) {
        return { handled: false, error, attempts: attempt };
      }
    }
    await delay(policy.backoffMs(attempt));
    await policy.beforeRetry?.();
  }
}

export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_HEADER_LENGTH ? `${text.slice(0, MAX_ERROR_HEADER_LENGTH)}…` : text;
}

/** The message as it goes to `<topic>.dlt`: same key, value and headers, plus where it came from and why. */
export function deadLetterMessage(message: DeliveredMessage, error: unknown, attempts: number): OutgoingMessage {
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      [DEAD_LETTER_HEADERS.topic]: message.topic,
      [DEAD_LETTER_HEADERS.partition]: String(message.partition),
      [DEAD_LETTER_HEADERS.offset]: message.offset,
      [DEAD_LETTER_HEADERS.error]: describeError(error),
      [DEAD_LETTER_HEADERS.attempts]: String(attempts),
    },
  };
}
