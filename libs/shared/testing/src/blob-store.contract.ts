import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BlobIntegrityError, BlobNotFoundError, BlobRangeError, type BlobStat, type BlobStore, type StoredBlob } from '@quiver/shared-ports';
import { uniqueName } from './env.js';
import { eventually } from './eventually.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

const text = async (body: Promise<AsyncIterable<Uint8Array>>): Promise<string> => (await collect(await body)).toString();

/** Yields `bytes` in slices of `size`, as a network upload would (never the whole body at once). */
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) {
    yield bytes.subarray(offset, offset + size);
    await Promise.resolve();
  }
}

/** Yields some bytes, then fails like a client that hung up mid-upload. */
async function* failingAfter(bytes: Uint8Array, error: Error): AsyncGenerator<Uint8Array> {
  yield* chunked(bytes, 64 * 1024);
  throw error;
}

async function listAll(store: BlobStore, prefix: string): Promise<BlobStat[]> {
  const listed: BlobStat[] = [];
  for await (const item of store.list(prefix)) {
    assert.ok(item.lastModified instanceof Date && !Number.isNaN(item.lastModified.getTime()), `${item.key} is listed with its last write time`);
    listed.push({ key: item.key, size: item.size });
  }
  return listed;
}

/** `stat` without its time, for comparing key and size. */
async function sizeOf(store: BlobStore, key: string): Promise<BlobStat | undefined> {
  const found = await store.stat(key);
  return found && { key: found.key, size: found.size };
}

/** Stores keep whole seconds at least (S3 listings); allow that much rounding either side. */
const ROUNDING_MS = 1000;

/** Rewrites `key` until its last write time moves past `previous` (stores keep whole seconds). */
async function eventuallyLater(store: BlobStore, key: string, previous: Date): Promise<void> {
  await eventually(
    async () => {
      await store.put(key, Buffer.from('rewritten'));
      const now = await store.stat(key);
      return (now?.lastModified.getTime() ?? 0) > previous.getTime();
    },
    { timeoutMs: 10_000, intervalMs: 250, what: `a rewrite of ${key} refreshing its last write time` },
  );
}

/** Larger than one 8 MiB multipart part, so stores that upload in parts take that path too. */
const BIG = 9 * 1024 * 1024 + 7;

/**
 * One suite every BlobStore adapter passes. `open` is called once; every test works under its own
 * unique key prefix, so the suite also runs against a store that holds other data.
 */
export function blobStoreContract(adapterName: string, open: () => Promise<BlobStore>): void {
  describe(`BlobStore contract: ${adapterName}`, () => {
    let store: BlobStore;
    let big: Buffer;
    const bytes = Buffer.from('0123456789abcdefghij');

    before(async () => {
      store = await open();
      big = randomBytes(BIG);
    });

    after(() => store.close());

    it('stores a Uint8Array, reports its size and reads it back', async () => {
      const key = `${uniqueName('blob')}/file.whl`;
      assert.deepEqual(await store.put(key, bytes), { key, size: 20 });
      assert.deepEqual(await sizeOf(store, key), { key, size: 20 });
      assert.deepEqual(await collect(await store.read(key)), bytes);
    });

    it('stores exactly the bytes a Uint8Array view covers', async () => {
      const key = `${uniqueName('blob')}/view`;
      const backing = Buffer.from('xxxx-the-view-yyyy');
      const view = new Uint8Array(backing.buffer, backing.byteOffset + 5, 8);
      assert.deepEqual(await store.put(key, view, { size: 8, sha256: sha256(view) }), { key, size: 8 });
      assert.equal(await text(store.read(key)), 'the-view');
    });

    it('stores a small body from an async iterable', async () => {
      const key = `${uniqueName('blob')}/small`;
      assert.deepEqual(await store.put(key, chunked(bytes, 3)), { key, size: 20 });
      assert.deepEqual(await collect(await store.read(key)), bytes);
    });

    it('streams a multi-MiB body from an async iterable, with and without a promised size', async () => {
      const prefix = uniqueName('blob');
      assert.deepEqual(await store.put(`${prefix}/known`, chunked(big, 64 * 1024), { size: BIG, sha256: sha256(big) }), { key: `${prefix}/known`, size: BIG });
      assert.deepEqual(await store.put(`${prefix}/unknown`, chunked(big, 100_000)), { key: `${prefix}/unknown`, size: BIG });
      for (const key of [`${prefix}/known`, `${prefix}/unknown`]) {
        assert.equal((await store.stat(key))?.size, BIG);
        assert.equal(sha256(await collect(await store.read(key))), sha256(big));
      }
    });

    it('stores an empty object', async () => {
      const key = `${uniqueName('blob')}/empty`;
      assert.deepEqual(await store.put(key, new Uint8Array(0), { size: 0, sha256: sha256(new Uint8Array(0)) }), { key, size: 0 });
      assert.deepEqual(await sizeOf(store, key), { key, size: 0 });
      assert.equal((await collect(await store.read(key))).length, 0);
      await assert.rejects(store.read(key, { start: 0, end: 0 }), BlobRangeError);
      const streamed = `${uniqueName('blob')}/empty-stream`;
      assert.deepEqual(await store.put(streamed, chunked(new Uint8Array(0), 1)), { key: streamed, size: 0 });
    });

    it('reads inclusive byte ranges and clamps the end to the object', async () => {
      const key = `${uniqueName('blob')}/ranged`;
      await store.put(key, bytes);
      assert.equal(await text(store.read(key, { start: 0, end: 0 })), '0');
      assert.equal(await text(store.read(key, { start: 5, end: 9 })), '56789');
      assert.equal(await text(store.read(key, { start: 19, end: 19 })), 'j');
      assert.equal(await text(store.read(key, { start: 15, end: 1000 })), 'fghij');
      assert.equal(await text(store.read(key, { start: 0, end: 19 })), bytes.toString());
      await assert.rejects(store.read(key, { start: 20, end: 25 }), BlobRangeError);
      await assert.rejects(store.read(key, { start: 25, end: 30 }), (error: unknown) => error instanceof BlobRangeError && error.size === 20);
    });

    it('reads a range from deep inside a multi-MiB object', async () => {
      const key = `${uniqueName('blob')}/big`;
      await store.put(key, chunked(big, 256 * 1024), { size: BIG });
      const start = 8 * 1024 * 1024 - 3;
      assert.deepEqual(await collect(await store.read(key, { start, end: start + 9 })), big.subarray(start, start + 10));
      assert.deepEqual(await collect(await store.read(key, { start: BIG - 2, end: BIG + 100 })), big.subarray(BIG - 2));
    });

    it('lets a reader stop early without disturbing later calls', async () => {
      const key = `${uniqueName('blob')}/abandoned`;
      await store.put(key, big);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        for await (const chunk of await store.read(key)) {
          assert.ok(chunk.length > 0);
          break;
        }
      }
      assert.equal((await store.stat(key))?.size, BIG);
      assert.deepEqual(await collect(await store.read(key, { start: 1, end: 2 })), big.subarray(1, 3));
    });

    it('reports missing objects', async () => {
      const key = `${uniqueName('blob')}/missing`;
      assert.equal(await store.stat(key), undefined);
      await assert.rejects(store.read(key), (error: unknown) => error instanceof BlobNotFoundError && error.key === key);
      await assert.rejects(store.read(key, { start: 0, end: 1 }), BlobNotFoundError);
    });

    it('refuses bytes whose sha256 differs from the expected one and keeps nothing', async () => {
      const prefix = uniqueName('blob');
      await assert.rejects(store.put(`${prefix}/bad`, bytes, { sha256: '0'.repeat(64) }), (error: unknown) => {
        assert.ok(error instanceof BlobIntegrityError);
        assert.equal(error.expected, '0'.repeat(64));
        assert.equal(error.actual, sha256(bytes));
        return true;
      });
      assert.equal(await store.stat(`${prefix}/bad`), undefined);
      await assert.rejects(store.put(`${prefix}/bad-stream`, chunked(big, 64 * 1024), { sha256: sha256(bytes) }), BlobIntegrityError);
      assert.equal(await store.stat(`${prefix}/bad-stream`), undefined);
      assert.deepEqual(await listAll(store, `${prefix}/`), []);
    });

    it('stores bytes whose sha256 matches the expected one', async () => {
      const key = `${uniqueName('blob')}/good`;
      assert.deepEqual(await store.put(key, bytes, { sha256: sha256(bytes), size: 20, contentType: 'application/zip' }), { key, size: 20 });
      assert.equal((await store.stat(key))?.size, 20);
    });

    it('leaves an earlier object in place when a put of other bytes is refused', async () => {
      const key = `${uniqueName('blob')}/kept`;
      await store.put(key, bytes);
      await assert.rejects(store.put(key, Buffer.from('tampered'), { sha256: sha256(bytes) }), BlobIntegrityError);
      await assert.rejects(store.put(key, chunked(big, 64 * 1024), { sha256: sha256(bytes) }), BlobIntegrityError);
      assert.deepEqual(await collect(await store.read(key)), bytes);
    });

    it('refuses a body whose length differs from the promised size and keeps nothing', async () => {
      const prefix = uniqueName('blob');
      await assert.rejects(store.put(`${prefix}/short`, chunked(bytes, 4), { size: 21 }));
      await assert.rejects(store.put(`${prefix}/long`, chunked(big, 64 * 1024), { size: 1024 }));
      await assert.rejects(store.put(`${prefix}/array`, bytes, { size: 19 }));
      assert.deepEqual(await listAll(store, `${prefix}/`), []);
    });

    it('fails a put whose body fails, and keeps nothing', async () => {
      const prefix = uniqueName('blob');
      const hangUp = new Error('client hung up');
      await assert.rejects(store.put(`${prefix}/small`, failingAfter(bytes, hangUp)), /client hung up/);
      await assert.rejects(store.put(`${prefix}/big`, failingAfter(big, hangUp)), /client hung up/);
      assert.deepEqual(await listAll(store, `${prefix}/`), []);
    });

    it('replaces an object on overwrite', async () => {
      const key = `${uniqueName('blob')}/over`;
      await store.put(key, Buffer.from('one'));
      assert.deepEqual(await store.put(key, chunked(Buffer.from('second'), 2)), { key, size: 6 });
      assert.equal(await text(store.read(key)), 'second');
      assert.equal((await store.stat(key))?.size, 6);
    });

    it('deletes, and deleting a missing object resolves', async () => {
      const key = `${uniqueName('blob')}/gone`;
      await store.put(key, bytes);
      await store.delete(key);
      assert.equal(await store.stat(key), undefined);
      await assert.rejects(store.read(key), BlobNotFoundError);
      await store.delete(key);
      await store.delete(`${uniqueName('blob')}/never-there`);
    });

    it('reports when an object was last written, in stat and in listings, and a rewrite refreshes it', async () => {
      const prefix = uniqueName('blob');
      const key = `${prefix}/dated`;
      const before = Date.now();
      await store.put(key, bytes);
      const after = Date.now();
      const stated = (await store.stat(key)) as StoredBlob;
      assert.ok(stated.lastModified.getTime() >= before - ROUNDING_MS && stated.lastModified.getTime() <= after + ROUNDING_MS, stated.lastModified.toISOString());
      const listed: StoredBlob[] = [];
      for await (const item of store.list(`${prefix}/`)) {
        listed.push(item);
      }
      assert.deepEqual(listed.map((item) => [item.key, Math.abs(item.lastModified.getTime() - stated.lastModified.getTime()) <= ROUNDING_MS]), [[key, true]]);
      // Rewriting the same bytes counts as a new write (an orphan GC relies on it).
      await eventuallyLater(store, key, stated.lastModified);
    });

    it('gives each write of an object its own revision in stat, also for other bytes of the same size', async () => {
      const key = `${uniqueName('blob')}/revised`;
      await store.put(key, Buffer.from('first'));
      const first = await store.stat(key);
      assert.equal(typeof first?.revision, 'string');
      assert.equal((await store.stat(key))?.revision, first?.revision, 'an unchanged object keeps its revision');
      await store.put(key, Buffer.from('other'));
      const second = await store.stat(key);
      assert.equal(second?.size, first?.size);
      assert.notEqual(second?.revision, first?.revision, 'a copy of the first bytes must not pass for the second');
    });

    it('lists exactly the keys under a prefix, in UTF-8 byte order, with sizes', async () => {
      const prefix = uniqueName('blob');
      const stored: Record<string, string> = {
        [`${prefix}/list/b`]: 'bb',
        [`${prefix}/list/a/x`]: 'a',
        [`${prefix}/list/a-b`]: 'abc',
        [`${prefix}/list/a0`]: 'dddd',
        [`${prefix}/list/a/y/z`]: 'eeeee',
        [`${prefix}/list/é`]: 'ffffff',
        [`${prefix}/listing-not-under`]: 'z',
      };
      for (const [key, value] of Object.entries(stored)) {
        await store.put(key, Buffer.from(value));
      }
      const expected = (keys: string[]): BlobStat[] => keys.map((key) => ({ key, size: stored[key]?.length ?? -1 }));
      assert.deepEqual(
        await listAll(store, `${prefix}/list/`),
        expected([`${prefix}/list/a-b`, `${prefix}/list/a/x`, `${prefix}/list/a/y/z`, `${prefix}/list/a0`, `${prefix}/list/b`, `${prefix}/list/é`]),
      );
      assert.deepEqual(
        await listAll(store, `${prefix}/list/a`),
        expected([`${prefix}/list/a-b`, `${prefix}/list/a/x`, `${prefix}/list/a/y/z`, `${prefix}/list/a0`]),
      );
      assert.deepEqual(await listAll(store, `${prefix}/list/a/`), expected([`${prefix}/list/a/x`, `${prefix}/list/a/y/z`]));
      assert.deepEqual(await listAll(store, `${prefix}/list`), expected([...Object.keys(stored)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))));
      assert.deepEqual(await listAll(store, `${prefix}/nothing/`), []);
      assert.deepEqual(await listAll(store, `${prefix}/list/b`), expected([`${prefix}/list/b`]));
    });

    it('refuses keys that are not relative /-separated paths', async () => {
      for (const key of ['../x', '/abs', 'a//b', 'a\\b', 'a/./b', 'a/', '', 'a/\u0000b', 'k'.repeat(1025)]) {
        const label = JSON.stringify(key);
        await assert.rejects(store.put(key, bytes), (error: unknown) => error instanceof Error && !(error instanceof BlobIntegrityError), label);
        await assert.rejects(store.stat(key), Error, label);
        await assert.rejects(store.read(key), (error: unknown) => error instanceof Error && !(error instanceof BlobNotFoundError), label);
        await assert.rejects(store.delete(key), Error, label);
      }
    });
  });
}
