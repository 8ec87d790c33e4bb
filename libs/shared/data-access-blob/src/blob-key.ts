/** S3 caps object keys at 1024 bytes of UTF-8; every adapter applies the same limit. */
export const MAX_BLOB_KEY_BYTES = 1024;

/** A key that some store could not hold safely: it could leave the filesystem root, or be mangled in transit. */
export class UnsafeBlobKeyError extends Error {
  override readonly name = 'UnsafeBlobKeyError';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Unsafe blob key ${JSON.stringify(key.slice(0, 200))}: ${reason}.`);
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `segment` cannot be one `/`-separated part of a key, or undefined when it can. */
export function segmentProblem(segment: string): string | undefined {
  if (segment === '') {
    return "it has an empty segment (a leading, trailing or doubled '/')";
  }
  if (segment === '.' || segment === '..') {
    return `it has a '${segment}' segment`;
  }
  if (segment.includes('\\')) {
    return "it contains '\\'";
  }
  if (CONTROL.test(segment)) {
    return 'it contains a control character (NUL, newline, …)';
  }
  return undefined;
}

/**
 * Keys are relative, `/`-separated, non-empty segments (no `.`, `..`, backslashes or control
 * characters), valid Unicode, and at most 1024 bytes as UTF-8. Every adapter enforces the same
 * rules, so a key that works in embedded mode works against S3 and the other way round.
 */
export function assertSafeKey(key: string): void {
  if (typeof key !== 'string' || key === '') {
    throw new UnsafeBlobKeyError(String(key), 'a key is a non-empty string');
  }
  if (key.startsWith('/')) {
    throw new UnsafeBlobKeyError(key, "it is absolute (starts with '/')");
  }
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.toString('utf8') !== key) {
    throw new UnsafeBlobKeyError(key, 'it is not valid Unicode (a lone surrogate)');
  }
  if (bytes.length > MAX_BLOB_KEY_BYTES) {
    throw new UnsafeBlobKeyError(key, `it is longer than ${MAX_BLOB_KEY_BYTES} bytes as UTF-8`);
  }
  for (const segment of key.split('/')) {
    const problem = segmentProblem(segment);
    if (problem !== undefined) {
      throw new UnsafeBlobKeyError(key, problem);
    }
  }
}

/** Orders keys as S3 lists them: by their UTF-8 bytes (JavaScript's `<` compares UTF-16 units instead). */
export const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
