import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BlobIntegrityError } from '@quiver/shared-ports';
import { blobStoreContract } from '@quiver/shared-testing';
import { FileSystemBlobStore } from './filesystem-blob-store.js';

const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A scratch directory holding the store's root, so tests can see what lands beside it. */
function scratch(): { readonly parent: string; readonly root: string } {
  const parent = mkdtempSync(join(tmpdir(), 'quiver-blobs-'));
  roots.push(parent);
  return { parent, root: join(parent, 'root') };
}

/** Every file under `dir`, relative, sorted. */
const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
        .sort()
    : [];

async function text(body: Promise<AsyncIterable<Uint8Array>>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await body) {
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString();
}

blobStoreContract('local filesystem', () => Promise.resolve(new FileSystemBlobStore({ root: scratch().root })));

describe('FileSystemBlobStore', () => {
  it('refuses keys that could leave the root, and writes nothing anywhere', async () => {
    const { parent, root } = scratch();
    const store = new FileSystemBlobStore(root);
    for (const key of ['../x', '/abs', 'a//b', 'a\\b', 'a/../../x', '.', 'a/\u0000', 'a\nb', '\ud800']) {
      await assert.rejects(store.put(key, Buffer.from('x')), /Unsafe blob key/, JSON.stringify(key));
      await assert.rejects(store.read(key), /Unsafe blob key/, JSON.stringify(key));
    }
    assert.deepEqual(filesUnder(parent), []);
  });

  it('keeps one file per key under the root and no temp files once a put is done', async () => {
    const { root } = scratch();
    const store = new FileSystemBlobStore({ root });
    await store.put('dists/ab/cd.whl', Buffer.from('wheel'));
    await assert.rejects(store.put('dists/ab/bad.whl', Buffer.from('x'), { sha256: 'f'.repeat(64) }), BlobIntegrityError);
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('part');
      await Promise.resolve();
      throw new Error('hung up');
    }
    await assert.rejects(store.put('dists/ab/cut.whl', broken()), /hung up/);
    assert.deepEqual(filesUnder(root), ['dists/ab/cd.whl']);
  });

  it('hides and refuses the names it uses for writes in progress', async () => {
    const { root } = scratch();
    const store = new FileSystemBlobStore(root);
    await store.put('d/kept', Buffer.from('k'));
    const leftover = `.quiver-partial-${randomUUID()}`;
    writeFileSync(join(root, 'd', leftover), 'crashed mid-put');
    const listed = [];
    for await (const item of store.list('')) {
      listed.push({ key: item.key, size: item.size });
    }
    assert.deepEqual(listed, [{ key: 'd/kept', size: 1 }]);
    await assert.rejects(store.put(`d/${leftover}`, Buffer.from('x')), /reserved/);
  });

  it('serves a reader the object it opened, even when it is replaced meanwhile', async () => {
    const store = new FileSystemBlobStore(scratch().root);
    await store.put('k', Buffer.from('first version'));
    const opened = store.read('k');
    await store.put('k', Buffer.from('second'));
    assert.equal(await text(opened), 'first version');
    assert.equal(await text(store.read('k')), 'second');
  });

  it('explains that a key cannot be both an object and a prefix of other keys', async () => {
    const store = new FileSystemBlobStore(scratch().root);
    await store.put('a', Buffer.from('file'));
    await assert.rejects(store.put('a/b', Buffer.from('x')), /cannot hold both an object and other keys below it/);
    await store.put('c/d', Buffer.from('x'));
    await assert.rejects(store.put('c', Buffer.from('x')), /cannot hold both an object and other keys below it/);
    assert.equal(await store.stat('c'), undefined);
    assert.equal(await store.stat('a/b'), undefined);
    await store.delete('c'); // a directory of keys, not an object: nothing to delete
    assert.equal((await store.stat('c/d'))?.size, 1);
  });
});
