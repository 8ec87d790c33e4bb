import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  BlobIntegrityError,
  BlobNotFoundError,
  BlobRangeError,
  type BlobBody,
  type BlobStat,
  type BlobStore,
  type ByteRange,
  type PutBlobOptions,
} from '@quiver/shared-ports';
import { assertSafeKey } from './blob-key.js';
import { DigestingStream, toReadable } from './body-stream.js';

const isMissing = (error: unknown): boolean => (error as { code?: unknown }).code === 'ENOENT';

/** The embedded adapter: one file per key under `root`, written to a temp file and renamed into place. */
export class FileSystemBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private path(key: string): string {
    assertSafeKey(key);
    return join(this.root, ...key.split('/'));
  }

  async put(key: string, body: BlobBody, options: PutBlobOptions = {}): Promise<BlobStat> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `.tmp-${randomUUID()}`);
    const digest = new DigestingStream();
    try {
      await pipeline(toReadable(body), digest, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
      const actual = digest.sha256();
      if (options.sha256 !== undefined && options.sha256 !== actual) {
        throw new BlobIntegrityError(key, options.sha256, actual);
      }
      const handle = await open(temp, 'r');
      await handle.sync();
      await handle.close();
      await rename(temp, target);
      return { key, size: digest.size };
    } finally {
      await rm(temp, { force: true });
    }
  }

  async stat(key: string): Promise<BlobStat | undefined> {
    try {
      const info = await stat(this.path(key));
      return info.isFile() ? { key, size: info.size } : undefined;
    } catch (error) {
      if (isMissing(error)) {
        return undefined;
      }
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> {
    const found = await this.stat(key);
    if (!found) {
      throw new BlobNotFoundError(key);
    }
    if (!range) {
      return createReadStream(this.path(key));
    }
    if (range.start >= found.size || range.start < 0 || range.end < range.start) {
      throw new BlobRangeError(key, found.size);
    }
    return createReadStream(this.path(key), { start: range.start, end: Math.min(range.end, found.size - 1) });
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async *list(prefix: string): AsyncIterable<BlobStat> {
    const keys: BlobStat[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) {
          return;
        }
        throw error;
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) {
          await walk(full);
        } else if (entry.isFile() && !entry.name.startsWith('.tmp-')) {
          const key = relative(this.root, full).split(sep).join('/');
          if (key.startsWith(prefix)) {
            keys.push({ key, size: (await stat(full)).size });
          }
        }
      }
    };
    await walk(this.root);
    keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    yield* keys;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
