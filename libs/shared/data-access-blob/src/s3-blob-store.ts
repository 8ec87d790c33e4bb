import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import * as Minio from 'minio';
import {
  BlobNotFoundError,
  BlobRangeError,
  type BlobBody,
  type BlobStat,
  type BlobStore,
  type ByteRange,
  type PutBlobOptions,
  type StatedBlob,
  type StoredBlob,
} from '@quiver/shared-ports';
import { assertSafeKey } from './blob-key.js';
import { asBuffer, checkPutOptions, toReadable, verificationError, VerifyingStream } from './body-stream.js';
import { clampRange } from './byte-range.js';
import { translateS3Error } from './s3-errors.js';
import { timedTransport } from './s3-transport.js';

export interface S3BlobStoreOptions {
  /** Where the S3 API answers, e.g. `http://127.0.0.1:9000` or `https://s3.eu-west-1.amazonaws.com` (path-style requests). */
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
  readonly bucket: string;
  /** `open` creates the bucket when it is missing (default); with `false` a missing bucket is an error. */
  readonly createBucket?: boolean;
  /** A request whose connection stays idle this long (no connect, no answer, a stalled transfer) fails as unavailable. Default 30 s. */
  readonly timeoutMs?: number;
  /**
   * Bodies longer than this go up as a multipart upload in parts of about this size; it is also
   * the most a put holds in memory. Default 8 MiB; S3 needs at least 5 MiB.
   */
  readonly partSizeBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const MIN_PART_SIZE = 5 * 1024 * 1024;

interface Part {
  readonly bytes: Buffer;
  /** The body ended (and passed verification) within this part. */
  readonly done: boolean;
}

/**
 * Cuts the verified body into parts, all copied into one buffer that is reused for every part: a
 * put holds one part in memory however long the body is, and allocates no fresh part per 8 MiB
 * (which would pile up until the next garbage collection). A part is valid until the next call.
 */
class PartReader {
  private readonly buffer: Buffer;
  private leftover: Buffer | undefined;

  constructor(
    private readonly chunks: AsyncIterator<Buffer>,
    partSize: number,
    expectedSize: number | undefined,
  ) {
    // A body known to be shorter than a part gets a buffer one byte longer than itself, so its end is seen in the first part.
    this.buffer = Buffer.allocUnsafe(expectedSize !== undefined && expectedSize < partSize ? expectedSize + 1 : partSize);
  }

  async next(): Promise<Part> {
    let length = 0;
    while (length < this.buffer.length) {
      let chunk = this.leftover;
      this.leftover = undefined;
      if (chunk === undefined) {
        const next = await this.chunks.next();
        if (next.done === true) {
          return { bytes: this.buffer.subarray(0, length), done: true };
        }
        chunk = next.value;
      }
      const taken = chunk.copy(this.buffer, length, 0, Math.min(chunk.length, this.buffer.length - length));
      length += taken;
      if (taken < chunk.length) {
        this.leftover = chunk.subarray(taken);
      }
    }
    return { bytes: this.buffer.subarray(0, length), done: false };
  }
}

/**
 * The production adapter: any S3-compatible store (MinIO, AWS S3, S3Proxy, …) through the `minio`
 * client, with path-style requests and nothing vendor-specific.
 *
 * A put never commits bytes it has not verified: a body that fits in one part is hashed in full
 * before its single PUT is sent; a longer one goes up as a multipart upload that is completed only
 * after the last byte was hashed, and aborted otherwise. An object already under the key is left
 * as it was when a put fails. Memory per put is bounded by the part size, whatever the body's length.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: Minio.Client;
  private readonly bucket: string;
  private readonly region: string;
  private readonly endpoint: string;
  private readonly partSize: number;
  private readonly closeTransport: () => void;

  /** Makes no request; `open` also checks (and creates) the bucket. */
  constructor(options: S3BlobStoreOptions) {
    const url = new URL(options.endpoint);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search !== '' || url.username !== '') {
      throw new Error(`The S3 endpoint must be a bare http(s)://host[:port] URL, not '${url.origin}${url.pathname}'.`);
    }
    const partSize = options.partSizeBytes ?? DEFAULT_PART_SIZE;
    if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) {
      throw new Error(`partSizeBytes must be an integer of at least ${MIN_PART_SIZE} (5 MiB), not ${String(partSize)}.`);
    }
    const secure = url.protocol === 'https:';
    const { transport, agent } = timedTransport(secure, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.client = new Minio.Client({
      endPoint: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(url.port || (secure ? 443 : 80)),
      useSSL: secure,
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: options.region,
      pathStyle: true,
      partSize,
      transport,
      transportAgent: agent,
      // Callers answer 503 and their clients retry; the client's own retry would also log to the console.
      retryOptions: { disableRetry: true },
    });
    this.bucket = options.bucket;
    this.region = options.region;
    this.endpoint = url.origin;
    this.partSize = partSize;
    this.closeTransport = () => agent.destroy();
  }

  /** Connects, makes sure the bucket exists (creating it unless `createBucket: false`), and returns the store. */
  static async open(options: S3BlobStoreOptions): Promise<S3BlobStore> {
    const store = new S3BlobStore(options);
    try {
      await store.ensureBucket(options.createBucket ?? true);
      return store;
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  async ensureBucket(create: boolean): Promise<void> {
    if (await this.guard(this.bucket, () => this.client.bucketExists(this.bucket))) {
      return;
    }
    if (!create) {
      throw new Error(`The bucket '${this.bucket}' does not exist at ${this.endpoint}.`);
    }
    try {
      await this.guard(this.bucket, () => this.client.makeBucket(this.bucket, this.region));
    } catch (error) {
      // Another replica created it a moment ago.
      const code = (error as { code?: unknown }).code;
      if (code === 'BucketAlreadyOwnedByYou' || (code === 'BucketAlreadyExists' && (await this.client.bucketExists(this.bucket)))) {
        return;
      }
      throw error;
    }
  }

  async put(key: string, body: BlobBody, options: PutBlobOptions = {}): Promise<BlobStat> {
    assertSafeKey(key);
    checkPutOptions(options);
    const headers = { 'Content-Type': options.contentType ?? 'application/octet-stream' };
    if (body instanceof Uint8Array) {
      const bytes = asBuffer(body);
      const problem = verificationError(key, options, bytes.length, createHash('sha256').update(bytes).digest('hex'));
      if (problem) {
        throw problem;
      }
      await this.guard(key, () => this.client.putObject(this.bucket, key, bytes, bytes.length, headers));
      return { key, size: bytes.length };
    }
    const verifier = new VerifyingStream(key, options);
    // Errors of the body (and of verification) surface through the iterator below.
    pipeline(toReadable(body), verifier, () => undefined);
    const parts = new PartReader(verifier[Symbol.asyncIterator]() as AsyncIterator<Buffer>, this.partSize, options.size);
    try {
      const first = await parts.next();
      if (first.done) {
        await this.guard(key, () => this.client.putObject(this.bucket, key, first.bytes, first.bytes.length, headers));
        return { key, size: first.bytes.length };
      }
      return await this.putMultipart(key, first, parts, headers);
    } finally {
      verifier.destroy(); // releases the body (a file, a request) when we stopped before its end
    }
  }

  private async putMultipart(key: string, first: Part, parts: PartReader, headers: Record<string, string>): Promise<BlobStat> {
    const uploadId = await this.guard(key, () => this.client.initiateNewMultipartUpload(this.bucket, key, headers));
    try {
      const etags: { part: number; etag: string }[] = [];
      let size = 0;
      let part = first;
      for (let partNumber = 1; ; partNumber += 1) {
        const bytes = part.bytes;
        if (bytes.length > 0 || partNumber === 1) {
          const uploaded = await this.guard(key, () =>
            this.client.uploadPart({ bucketName: this.bucket, objectName: key, uploadID: uploadId, partNumber, headers: {} }, bytes),
          );
          etags.push({ part: partNumber, etag: uploaded.etag });
          size += bytes.length;
        }
        if (part.done) {
          break;
        }
        part = await parts.next();
      }
      await this.guard(key, () => this.client.completeMultipartUpload(this.bucket, key, uploadId, etags));
      return { key, size };
    } catch (error) {
      // Nothing was committed under the key; drop the parts so they do not linger as storage.
      await this.client.abortMultipartUpload(this.bucket, key, uploadId).catch(() => undefined);
      throw error;
    }
  }

  async stat(key: string): Promise<StatedBlob | undefined> {
    assertSafeKey(key);
    try {
      const info = await this.guard(key, () => this.client.statObject(this.bucket, key));
      return { key, size: info.size, lastModified: new Date(info.lastModified), revision: info.etag };
    } catch (error) {
      if (error instanceof BlobNotFoundError) {
        return undefined;
      }
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> {
    assertSafeKey(key);
    if (!range) {
      return this.relay(key, await this.guard(key, () => this.client.getObject(this.bucket, key)));
    }
    const found = await this.stat(key);
    if (!found) {
      throw new BlobNotFoundError(key);
    }
    const { start, end } = clampRange(key, range, found.size);
    try {
      return this.relay(key, await this.guard(key, () => this.client.getPartialObject(this.bucket, key, start, end - start + 1)));
    } catch (error) {
      if ((error as { code?: unknown }).code === 'InvalidRange') {
        throw new BlobRangeError(key, found.size); // replaced by a shorter object since the stat
      }
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    try {
      await this.guard(key, () => this.client.removeObject(this.bucket, key));
    } catch (error) {
      if (!(error instanceof BlobNotFoundError)) {
        throw error;
      }
    }
  }

  /** Streams the listing page by page in the store's order, which S3 defines as UTF-8 byte order. */
  async *list(prefix: string): AsyncIterable<StoredBlob> {
    const items = this.client.listObjectsV2(this.bucket, prefix, true) as AsyncIterable<Minio.BucketItem>;
    try {
      for await (const item of items) {
        if (item.name !== undefined) {
          // A listing without a date would make the object look ancient to a GC: call it new instead.
          yield { key: item.name, size: item.size, lastModified: item.lastModified ? new Date(item.lastModified) : new Date() };
        }
      }
    } catch (error) {
      throw translateS3Error(error, prefix, this.endpoint);
    }
  }

  close(): Promise<void> {
    this.closeTransport();
    return Promise.resolve();
  }

  /** A response body whose failures (a cut connection, a stall) arrive as the port's errors. */
  private relay(key: string, body: Readable): Readable {
    const translate = (error: unknown): Error => translateS3Error(error, key, this.endpoint);
    async function* chunks(): AsyncGenerator<Buffer> {
      try {
        for await (const chunk of body) {
          yield chunk as Buffer;
        }
      } catch (error) {
        throw translate(error);
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  private async guard<T>(key: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw translateS3Error(error, key, this.endpoint);
    }
  }
}
