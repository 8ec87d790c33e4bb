import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { blobStoreContract } from '@quiver/shared-testing';
import { FileSystemBlobStore } from './filesystem-blob-store.js';

const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

blobStoreContract('local filesystem', () => {
  const root = mkdtempSync(join(tmpdir(), 'quiver-blobs-'));
  roots.push(root);
  return Promise.resolve(new FileSystemBlobStore(root));
});

describe('FileSystemBlobStore keys', () => {
  it('refuses keys that could leave the root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'quiver-blobs-'));
    roots.push(root);
    const store = new FileSystemBlobStore(root);
    for (const key of ['../x', '/abs', 'a//b', 'a\\b', 'a/./b', '', 'a/\u0000']) {
      await assert.rejects(store.put(key, Buffer.from('x')), /Unsafe blob key/, JSON.stringify(key));
    }
  });
});
