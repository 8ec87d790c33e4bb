import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import * as Minio from 'minio';
import {
  BlobIntegrityError,
  BlobNotFoundError,
  BlobRangeError,
  BlobStoreUnavailableError,
  type BlobBody,
  type BlobStat,
  type BlobStore,
  type ByteRange,
  type PutBlobOptions,
} from '@quiver/shared-ports';
import { assertSafeKey } from './blob-key.js';
import { DigestingStream, toReadable } from './body-stream.js';

export interface S3BlobStoreOptions {
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
  readonly bucket: string;
  /** Bounds every S3 call, so a hung store gives 503s rather than hung requests. */
  readonly timeoutMs?: number;
}

const NOT_FOUND = new Set(['NotFound', 'NoSuchKey']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'UND_ERR_SOCKET']);

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
};

/** The production adapter: any S3-compatible store through the `minio` client. */
export class S3BlobStore implements BlobStore {
  private constructor(
    private readonly client: Minio.Client,
    private readonly bucket: string,
  ) {}

  /** Connects and creates the bucket when it does not exist yet. */
  static async open(options: S3BlobStoreOptions): Promise<S3BlobStore> {
    const url = new URL(options.endpoint);
    const client = new Minio.Client({
      endPoint: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      useSSL: url.protocol === 'https:',
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: options.region,
      pathStyle: true,
      transportAgent: new (url.protocol === 'https:' ? HttpsAgent : HttpAgent)({ keepAlive: true, timeout: options.timeoutMs ?? 30_000 }),
    });
    const store = new S3BlobStore(client, options.bucket);
    await store.guard(async () => {
      if (!(await client.bucketExists(options.bucket))) {
        await client.makeBucket(options.bucket, options.region);
      }
    });
    return store;
  }

  async put(key: string, body: BlobBody, options: PutBlobOptions = {}): Promise<BlobStat> {
    assertSafeKey(key);
    const digest = new DigestingStream();
    const stream = toReadable(body).pipe(digest);
    await this.guard(() =>
      this.client.putObject(this.bucket, key, stream, options.size, { 'Content-Type': options.contentType ?? 'application/octet-stream' }),
    );
    const actual = digest.sha256();
    if (options.sha256 !== undefined && options.sha256 !== actual) {
      await this.delete(key);
      throw new BlobIntegrityError(key, options.sha256, actual);
    }
    return { key, size: digest.size };
  }

  async stat(key: string): Promise<BlobStat | undefined> {
    assertSafeKey(key);
    try {
      const info = await this.guard(() => this.client.statObject(this.bucket, key));
      return { key, size: info.size };
    } catch (error) {
      if (error instanceof BlobNotFoundError) {
        return undefined;
      }
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> {
    if (!range) {
      assertSafeKey(key);
      return this.guard(() => this.client.getObject(this.bucket, key));
    }
    const found = await this.stat(key);
    if (!found) {
      throw new BlobNotFoundError(key);
    }
    if (range.start >= found.size || range.start < 0 || range.end < range.start) {
      throw new BlobRangeError(key, found.size);
    }
    const end = Math.min(range.end, found.size - 1);
    return this.guard(() => this.client.getPartialObject(this.bucket, key, range.start, end - range.start + 1));
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await this.guard(() => this.client.removeObject(this.bucket, key));
  }

  async *list(prefix: string): AsyncIterable<BlobStat> {
    const found: BlobStat[] = [];
    const stream = this.client.listObjectsV2(this.bucket, prefix, true);
    try {
      for await (const item of stream as AsyncIterable<{ name?: string; size?: number }>) {
        if (item.name !== undefined) {
          found.push({ key: item.name, size: item.size ?? 0 });
        }
      }
    } catch (error) {
      throw this.translate(error);
    }
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    yield* found;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.translate(error);
    }
  }

  private translate(error: unknown): Error {
    const code = codeOf(error);
    if (code !== undefined && NOT_FOUND.has(code)) {
      return new BlobNotFoundError('(object)');
    }
    const status = (error as { $metadata?: { httpStatusCode?: number }; statusCode?: number }).statusCode;
    if ((code !== undefined && NETWORK.has(code)) || (status !== undefined && status >= 500) || /timeout|socket hang up/i.test(String(error))) {
      return new BlobStoreUnavailableError(`The object store is unavailable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}
