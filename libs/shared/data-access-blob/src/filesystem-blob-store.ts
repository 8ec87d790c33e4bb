import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  BlobNotFoundError,
  BlobStoreUnavailableError,
  type BlobBody,
  type BlobStat,
  type BlobStore,
  type ByteRange,
  type PutBlobOptions,
  type StatedBlob,
  type StoredBlob,
} from '@quiver/shared-ports';
import { assertSafeKey, compareKeys, segmentProblem, UnsafeBlobKeyError } from './blob-key.js';
import { checkPutOptions, toReadable, VerifyingStream } from './body-stream.js';
import { clampRange } from './byte-range.js';

export interface FileSystemBlobStoreOptions {
  /** The directory that holds one file per key; created on the first put. */
  readonly root: string;
}

/** Bytes being written live next to their target under this name until they are verified and renamed. */
/** A body that is already in memory, as the one chunk of an async iterable. */
function oneChunk(chunk: Uint8Array): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]: () => {
      let sent = false;
      return {
        next: (): Promise<IteratorResult<Uint8Array>> => {
          const result: IteratorResult<Uint8Array> = sent ? { done: true, value: undefined } : { done: false, value: chunk };
          sent = true;
          return Promise.resolve(result);
        },
      };
    },
  };
}

/** Objects (or ranges) up to this size are read in one piece instead of streamed. */
const WHOLE_READ_BYTES = 1024 * 1024;
const PARTIAL_PREFIX = '.quiver-partial-';
const PARTIAL_NAME = /^\.quiver-partial-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Conditions of the disk rather than of the request: callers answer 503 and may retry later. */
const UNAVAILABLE = new Set(['EIO', 'ENOSPC', 'EDQUOT', 'EROFS', 'EMFILE', 'ENFILE', 'ESTALE', 'ENODEV', 'ENXIO', 'EAGAIN']);
/** A missing file, or a path through something that is not a directory: either way, no object. */
const MISSING = new Set(['ENOENT', 'ENOTDIR']);

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

const isMissing = (error: unknown): boolean => MISSING.has(codeOf(error) ?? '');

function translate(error: unknown, key: string): Error {
  const code = codeOf(error);
  if (code !== undefined && UNAVAILABLE.has(code)) {
    return new BlobStoreUnavailableError(`The blob directory could not serve '${key}' (${code}).`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Appends every chunk to the file, looping over short writes. */
async function writeAll(handle: FileHandle, chunks: AsyncIterable<Buffer>): Promise<void> {
  for await (const chunk of chunks) {
    for (let offset = 0; offset < chunk.length; ) {
      const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
      offset += bytesWritten;
    }
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some filesystems cannot fsync a directory; the rename itself is still atomic there.
    if (codeOf(error) !== 'EINVAL' && codeOf(error) !== 'EPERM') {
      throw error;
    }
  } finally {
    await handle.close();
  }
}

/**
 * The embedded adapter: one file per key under `root` (key segments are directories). A put
 * streams into a private temp file beside the target while hashing, fsyncs it, checks size and
 * sha256, then renames it into place, so readers see the old object or the whole new one, never a
 * partial or unverified one.
 *
 * Unlike S3, a key cannot be both an object and a prefix of other keys (`a` and `a/b`): the path
 * would have to be a file and a directory at once. Such a put fails with a clear error.
 */
export class FileSystemBlobStore implements BlobStore {
  readonly root: string;

  constructor(options: FileSystemBlobStoreOptions | string) {
    this.root = resolve(typeof options === 'string' ? options : options.root);
  }

  private path(key: string): string {
    assertSafeKey(key);
    const segments = key.split('/');
    if (segments.some((segment) => PARTIAL_NAME.test(segment))) {
      throw new UnsafeBlobKeyError(key, `segments named '${PARTIAL_PREFIX}<uuid>' are reserved for writes in progress`);
    }
    return join(this.root, ...segments);
  }

  async put(key: string, body: BlobBody, options: PutBlobOptions = {}): Promise<BlobStat> {
    const target = this.path(key);
    checkPutOptions(options);
    const dir = dirname(target);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw this.conflict(error, key);
    }
    const temp = join(dir, `${PARTIAL_PREFIX}${randomUUID()}`);
    const verifier = new VerifyingStream(key, options);
    let handle: FileHandle | undefined;
    try {
      handle = await open(temp, 'wx', 0o600);
      const file = handle;
      await pipeline(toReadable(body), verifier, (verified: AsyncIterable<Buffer>) => writeAll(file, verified));
      await handle.sync();
      await handle.close();
      handle = undefined;
      await rename(temp, target);
      await syncDirectory(dir);
      return { key, size: verifier.size };
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw this.conflict(error, key);
    }
  }

  async stat(key: string): Promise<StatedBlob | undefined> {
    const path = this.path(key);
    try {
      const info = await stat(path, { bigint: true });
      // A put renames a new file into place (a new inode); a write in place changes the mtime.
      return info.isFile() ? { key, size: Number(info.size), lastModified: info.mtime, revision: `${info.ino}:${info.mtimeNs}` } : undefined;
    } catch (error) {
      if (isMissing(error)) {
        return undefined;
      }
      throw translate(error, key);
    }
  }

  async read(key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> {
    const path = this.path(key);
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw isMissing(error) ? new BlobNotFoundError(key) : translate(error, key);
    }
    // Size and bytes come from the same open file: a concurrent overwrite (rename) cannot mix them.
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        throw new BlobNotFoundError(key);
      }
      const bytes = range ? clampRange(key, range, info.size) : undefined;
      const start = bytes?.start ?? 0;
      const length = bytes ? bytes.end - bytes.start + 1 : info.size;
      if (length <= WHOLE_READ_BYTES) {
        // Wheels and metadata files are mostly small: one read and a close, no stream to set up.
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = length > 0 ? await handle.read(buffer, 0, length, start) : { bytesRead: 0 };
        await handle.close();
        return oneChunk(buffer.subarray(0, bytesRead));
      }
      return handle.createReadStream(bytes ? { start: bytes.start, end: bytes.end } : {});
    } catch (error) {
      await handle?.close().catch(() => undefined);
      throw translate(error, key);
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.path(key);
    try {
      await unlink(path);
    } catch (error) {
      // EISDIR/EPERM: the path is a directory of other keys, not an object.
      if (isMissing(error) || ((codeOf(error) === 'EISDIR' || codeOf(error) === 'EPERM') && !(await this.stat(key)))) {
        return;
      }
      throw translate(error, key);
    }
  }

  async *list(prefix: string): AsyncIterable<StoredBlob> {
    // Start at the deepest directory the prefix names in full; the rest of it filters names.
    const cut = prefix.lastIndexOf('/');
    const segments = cut > 0 ? prefix.slice(0, cut).split('/') : [];
    if (cut === 0 || segments.some((segment) => segmentProblem(segment) !== undefined)) {
      return; // no valid key starts with an absolute or malformed directory part
    }
    yield* this.walk(join(this.root, ...segments), segments.length > 0 ? `${segments.join('/')}/` : '', prefix);
  }

  /**
   * Depth-first in key order: sorting a directory's entries with `/` appended to subdirectory names
   * puts every subtree exactly where its keys belong among its siblings (`a-b` < `a/x` < `a0`).
   */
  private async *walk(dir: string, keyPrefix: string, prefix: string): AsyncGenerator<StoredBlob> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) {
        return;
      }
      throw translate(error, prefix);
    }
    const ordered = entries
      .filter((entry) => (entry.isFile() || entry.isDirectory()) && !PARTIAL_NAME.test(entry.name) && segmentProblem(entry.name) === undefined)
      .map((entry) => ({ entry, order: entry.isDirectory() ? `${entry.name}/` : entry.name }))
      .sort((a, b) => compareKeys(a.order, b.order));
    for (const { entry } of ordered) {
      const key = `${keyPrefix}${entry.name}`;
      if (entry.isDirectory()) {
        const subtree = `${key}/`;
        if (subtree.startsWith(prefix) || prefix.startsWith(subtree)) {
          yield* this.walk(join(dir, entry.name), subtree, prefix);
        }
      } else if (key.startsWith(prefix)) {
        const info = await stat(join(dir, entry.name)).catch((error: unknown) => {
          if (isMissing(error)) {
            return undefined; // deleted while we listed
          }
          throw translate(error, key);
        });
        if (info?.isFile()) {
          yield { key, size: info.size, lastModified: info.mtime };
        }
      }
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** A path that runs through an existing object (or a target that is a directory of keys) gets a clear error. */
  private conflict(error: unknown, key: string): Error {
    const code = codeOf(error);
    if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR') {
      return new Error(`Cannot store '${key}': the filesystem store cannot hold both an object and other keys below it (${code}).`, { cause: error });
    }
    return translate(error, key);
  }
}
