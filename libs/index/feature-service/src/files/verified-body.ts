import { createHash } from 'node:crypto';

/** The stored bytes of a file do not hash to the sha256 recorded when it was uploaded. */
export class StoredFileIntegrityError extends Error {
  override readonly name = 'StoredFileIntegrityError';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`The stored bytes have sha256 ${actual}, expected ${expected}.`);
  }
}

/**
 * Passes `source` through while hashing it, always holding back the latest chunk: the last one is
 * released only once the whole body hashed to `expectedSha256`. On a mismatch it throws instead
 * (after `onMismatch`), so a response streaming it ends short of its Content-Length and the client
 * sees a broken transfer, never a complete file with the wrong bytes (BAD-INPUT 48). A body that
 * fits in one chunk is checked before anything is yielded.
 */
export async function* verifiedBody(
  source: AsyncIterable<Uint8Array>,
  expectedSha256: string,
  onMismatch: (error: StoredFileIntegrityError) => void = () => undefined,
): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  let held: Uint8Array | undefined;
  for await (const chunk of source) {
    hash.update(chunk);
    if (held) {
      yield held;
    }
    held = chunk;
  }
  const actual = hash.digest('hex');
  if (actual !== expectedSha256) {
    const error = new StoredFileIntegrityError(expectedSha256, actual);
    onMismatch(error);
    throw error;
  }
  if (held) {
    yield held;
  }
}
