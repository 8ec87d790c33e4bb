import { BlobRangeError, type ByteRange } from '@quiver/shared-ports';

/**
 * The bytes of an object of `size` bytes that an inclusive `range` asks for, with the end clamped
 * to the last byte (as HTTP does for `bytes=10-999999`). A range that starts at or after the end,
 * or is malformed (negative, fractional, end before start), does not overlap the object.
 */
export function clampRange(key: string, range: ByteRange, size: number): ByteRange {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || start >= size) {
    throw new BlobRangeError(key, size);
  }
  return { start, end: Math.min(end, size - 1) };
}
