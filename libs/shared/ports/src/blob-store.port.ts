/** Object storage for distribution files and metadata sidecars. Keys are opaque, `/`-separated. */
export interface BlobStat {
  readonly key: string;
  readonly size: number;
}

/** An object as the store holds it: `stat` and `list` also say when it was last written. */
export interface StoredBlob extends BlobStat {
  /** When the object under this key was last written (a put of the same bytes refreshes it). */
  readonly lastModified: Date;
}

/** What `stat` says of an object: also a revision to tell one write of it from another. */
export interface StatedBlob extends StoredBlob {
  /**
   * Opaque, and different after any write that may have changed the bytes under the key (the
   * store's ETag, or the file's inode and nanosecond mtime): a copy of the bytes kept elsewhere is
   * still the object's only while the revision is the same.
   */
  readonly revision: string;
}

/** An inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface PutBlobOptions {
  /** Expected size in bytes; required by some stores for streaming uploads. */
  readonly size?: number;
  /** Lowercase hex sha256 the bytes must have; on mismatch the put fails and nothing stays under `key`. */
  readonly sha256?: string;
  readonly contentType?: string;
}

export type BlobBody = Uint8Array | AsyncIterable<Uint8Array>;

export interface BlobStore {
  /** Stores `body` under `key`, replacing any previous object. Resolves once the store acknowledged it. */
  put(key: string, body: BlobBody, options?: PutBlobOptions): Promise<BlobStat>;
  /** Size, last write time and revision of the object, or `undefined` when there is none. */
  stat(key: string): Promise<StatedBlob | undefined>;
  /** The object's bytes, or the bytes of `range`. Rejects with `BlobNotFoundError` when there is no object. */
  read(key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): AsyncIterable<StoredBlob>;
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
  constructor(readonly key: string) {
    super(`No object stored under '${key}'.`);
  }
}

export class BlobIntegrityError extends Error {
  override readonly name = 'BlobIntegrityError';
  constructor(
    readonly key: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`The bytes written to '${key}' have sha256 ${actual}, expected ${expected}.`);
  }
}

/** The requested range does not overlap the object (HTTP 416). */
export class BlobRangeError extends Error {
  override readonly name = 'BlobRangeError';
  constructor(
    readonly key: string,
    readonly size: number,
  ) {
    super(`The requested range is outside the ${size} bytes stored under '${key}'.`);
  }
}

/** The store could not be reached or answered with a server error; callers map this to 503. */
export class BlobStoreUnavailableError extends Error {
  override readonly name = 'BlobStoreUnavailableError';
}
