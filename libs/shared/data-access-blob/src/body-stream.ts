import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { BlobIntegrityError, type BlobBody, type PutBlobOptions } from '@quiver/shared-ports';

/** The body had more or fewer bytes than `PutBlobOptions.size` promised; nothing was stored. */
export class BlobSizeMismatchError extends Error {
  override readonly name = 'BlobSizeMismatchError';
  constructor(
    readonly key: string,
    readonly expected: number,
    /** The body's length, or undefined when it was cut off for growing past `expected`. */
    readonly actual: number | undefined,
  ) {
    super(
      actual === undefined
        ? `The body for '${key}' is longer than the ${expected} bytes promised.`
        : `The body for '${key}' has ${actual} bytes, ${expected} were promised.`,
    );
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Rejects malformed put options before any byte is read or sent. */
export function checkPutOptions(options: PutBlobOptions): void {
  if (options.size !== undefined && (!Number.isSafeInteger(options.size) || options.size < 0)) {
    throw new TypeError(`PutBlobOptions.size must be a non-negative integer, not ${String(options.size)}.`);
  }
  if (options.sha256 !== undefined && !SHA256_HEX.test(options.sha256)) {
    throw new TypeError('PutBlobOptions.sha256 must be 64 lowercase hex digits.');
  }
}

/**
 * Counts and hashes the bytes that pass through it. It fails the stream (so nothing downstream
 * can commit the bytes) as soon as the body outgrows the promised size, and at the end when the
 * size or the sha256 differ from the expected ones.
 */
export class VerifyingStream extends Transform {
  size = 0;
  private readonly hash = createHash('sha256');
  private digest: string | undefined;

  constructor(
    private readonly key: string,
    private readonly expected: PutBlobOptions,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.expected.size !== undefined && this.size > this.expected.size) {
      callback(new BlobSizeMismatchError(this.key, this.expected.size, undefined));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    callback(verificationError(this.key, this.expected, this.size, this.digest) ?? null);
  }

  /** The hex sha256 of everything that passed, once the stream has ended. */
  sha256(): string {
    if (this.digest === undefined) {
      throw new Error('The body has not been read to its end yet.');
    }
    return this.digest;
  }
}

/** The error a body of `size` bytes with digest `sha256` earns against `expected`, if any. */
export function verificationError(key: string, expected: PutBlobOptions, size: number, sha256: string): Error | undefined {
  if (expected.size !== undefined && expected.size !== size) {
    return new BlobSizeMismatchError(key, expected.size, size);
  }
  if (expected.sha256 !== undefined && expected.sha256 !== sha256) {
    return new BlobIntegrityError(key, expected.sha256, sha256);
  }
  return undefined;
}

/** A Buffer view of the same memory (no copy). */
export const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** The body as a byte stream, without copying or collecting it. */
export function toReadable(body: BlobBody): Readable {
  if (body instanceof Uint8Array) {
    return Readable.from([asBuffer(body)], { objectMode: false });
  }
  if (body instanceof Readable) {
    return body;
  }
  return Readable.from(body, { objectMode: false });
}
