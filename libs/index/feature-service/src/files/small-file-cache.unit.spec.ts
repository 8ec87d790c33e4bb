import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SmallFileCache } from './small-file-cache.js';

const bytes = (length: number, fill = 1): Buffer => Buffer.alloc(length, fill);

describe('SmallFileCache', () => {
  it('serves an entry only for the revision it was stored with, and forgets it on another', () => {
    const cache = new SmallFileCache(1000);
    cache.set('k', 'r1', bytes(10));
    assert.deepEqual(cache.get('k', 'r1'), bytes(10));
    assert.equal(cache.get('k', 'r2'), undefined, 'the object was rewritten since: read it again');
    assert.equal(cache.get('k', 'r1'), undefined, 'a stale entry is gone, not kept for the old revision');
    assert.equal(cache.size, 0);
  });

  it('keeps the total under its budget, dropping the least recently used first', () => {
    const cache = new SmallFileCache(30);
    cache.set('a', 'r', bytes(10));
    cache.set('b', 'r', bytes(10));
    cache.set('c', 'r', bytes(10));
    assert.ok(cache.get('a', 'r'), 'a is now the most recently used');
    cache.set('d', 'r', bytes(10));
    assert.equal(cache.get('b', 'r'), undefined, 'b was the least recently used');
    assert.ok(cache.get('a', 'r') && cache.get('c', 'r') && cache.get('d', 'r'));
    assert.equal(cache.size, 30);
  });

  it('does not keep entries larger than its per-entry limit or its budget, and a budget of 0 keeps nothing', () => {
    const cache = new SmallFileCache(100, 40);
    cache.set('big', 'r', bytes(41));
    assert.equal(cache.get('big', 'r'), undefined);
    assert.equal(cache.admits(40), true);
    const none = new SmallFileCache(0);
    none.set('k', 'r', bytes(1));
    assert.equal(none.get('k', 'r'), undefined);
    assert.equal(none.size, 0);
  });

  it('replaces an entry stored again under the same key, counting its bytes once', () => {
    const cache = new SmallFileCache(100);
    cache.set('k', 'r1', bytes(20, 1));
    cache.set('k', 'r2', bytes(30, 2));
    assert.equal(cache.size, 30);
    assert.deepEqual(cache.get('k', 'r2'), bytes(30, 2));
  });
});
