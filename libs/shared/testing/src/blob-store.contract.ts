import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BlobIntegrityError, BlobNotFoundError, BlobRangeError, type BlobStore } from '@quiver/shared-ports';
import { uniqueName } from './env.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

async function* chunked(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) {
    yield bytes.subarray(offset, offset + size);
    await Promise.resolve();
  }
}

/** One suite every BlobStore adapter passes. */
export function blobStoreContract(adapterName: string, open: () => Promise<BlobStore>): void {
  describe(`BlobStore contract: ${adapterName}`, () => {
    let store: BlobStore;
    let prefix: string;
    const bytes = Buffer.from('0123456789abcdefghij');

    before(async () => {
      store = await open();
      prefix = uniqueName('blobs');
    });

    after(() => store.close());

    it('stores bytes and reports their size', async () => {
      assert.deepEqual(await store.put(`${prefix}/a`, bytes), { key: `${prefix}/a`, size: 20 });
      assert.deepEqual(await store.stat(`${prefix}/a`), { key: `${prefix}/a`, size: 20 });
      assert.deepEqual(await collect(await store.read(`${prefix}/a`)), bytes);
    });

    it('streams a multi-MiB body from an async iterable', async () => {
      const big = randomBytes(5 * 1024 * 1024 + 7);
      await store.put(`${prefix}/big`, chunked(big, 64 * 1024), { size: big.length, sha256: sha256(big) });
      assert.equal((await store.stat(`${prefix}/big`))?.size, big.length);
      assert.equal(sha256(await collect(await store.read(`${prefix}/big`))), sha256(big));
    });

    it('reads inclusive byte ranges and clamps the end to the object', async () => {
      const key = `${prefix}/a`;
      assert.equal((await collect(await store.read(key, { start: 0, end: 0 }))).toString(), '0');
      assert.equal((await collect(await store.read(key, { start: 5, end: 9 }))).toString(), '56789');
      assert.equal((await collect(await store.read(key, { start: 19, end: 19 }))).toString(), 'j');
      assert.equal((await collect(await store.read(key, { start: 15, end: 1000 }))).toString(), 'fghij');
      await assert.rejects(store.read(key, { start: 20, end: 25 }), BlobRangeError);
    });

    it('reports missing objects', async () => {
      assert.equal(await store.stat(`${prefix}/missing`), undefined);
      await assert.rejects(store.read(`${prefix}/missing`), BlobNotFoundError);
      await assert.rejects(store.read(`${prefix}/missing`, { start: 0, end: 1 }), BlobNotFoundError);
    });

    it('refuses bytes whose sha256 differs from the expected one and keeps nothing', async () => {
      await assert.rejects(store.put(`${prefix}/bad`, bytes, { sha256: '0'.repeat(64) }), BlobIntegrityError);
      assert.equal(await store.stat(`${prefix}/bad`), undefined);
      await store.put(`${prefix}/good`, bytes, { sha256: sha256(bytes) });
      assert.equal((await store.stat(`${prefix}/good`))?.size, 20);
    });

    it('replaces on overwrite and deletes idempotently', async () => {
      await store.put(`${prefix}/over`, Buffer.from('one'));
      await store.put(`${prefix}/over`, Buffer.from('second'));
      assert.equal((await collect(await store.read(`${prefix}/over`))).toString(), 'second');
      await store.delete(`${prefix}/over`);
      assert.equal(await store.stat(`${prefix}/over`), undefined);
      await store.delete(`${prefix}/over`);
    });

    it('lists exactly the keys under a prefix, in order, with sizes', async () => {
      const listPrefix = `${prefix}/list`;
      await store.put(`${listPrefix}/b`, Buffer.from('bb'));
      await store.put(`${listPrefix}/a/x`, Buffer.from('a'));
      await store.put(`${prefix}/listing-not-under`, Buffer.from('z'));
      const listed = [];
      for await (const item of store.list(`${listPrefix}/`)) {
        listed.push(item);
      }
      assert.deepEqual(listed, [
        { key: `${listPrefix}/a/x`, size: 1 },
        { key: `${listPrefix}/b`, size: 2 },
      ]);
    });
  });
}
