import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENTRY_OVERHEAD_BYTES, SmallFileCache } from './small-file-cache.js';

const bytes = (length: number, fill = 1): Buffer => Buffer.alloc(length, fill);
/** The budget that holds `entries` files of `size` bytes each. */
const budgetFor = (entries: number, size: number): number => entries * (size + ENTRY_OVERHEAD_BYTES);

describe('SmallFileCache', () => {
  it('serves an entry only for the revision it was stored with, and forgets it on another', () => {
    const cache = new SmallFileCache(budgetFor(10, 10));
    cache.set('k', 'r1', bytes(10));
    assert.deepEqual(cache.get('k', 'r1'), bytes(10));
    assert.equal(cache.get('k', 'r2'), undefined, 'the object was rewritten since: read it again');
    assert.equal(cache.get('k', 'r1'), undefined, 'a stale entry is gone, not kept for the old revision');
    assert.equal(cache.size, 0);
  });

  it('keeps the total under its budget, dropping the least recently used first', () => {
    const cache = new SmallFileCache(budgetFor(3, 10));
    cache.set('a', 'r', bytes(10));
    cache.set('b', 'r', bytes(10));
    cache.set('c', 'r', bytes(10));
    assert.ok(cache.get('a', 'r'), 'a is now the most recently used');
    cache.set('d', 'r', bytes(10));
    assert.equal(cache.get('b', 'r'), undefined, 'b was the least recently used');
    assert.ok(cache.get('a', 'r') && cache.get('c', 'r') && cache.get('d', 'r'));
    assert.equal(cache.size, budgetFor(3, 10));
  });

  it('does not keep entries larger than its per-entry limit or its budget, and a budget of 0 keeps nothing', () => {
    const cache = new SmallFileCache(budgetFor(2, 40), 40);
    cache.set('big', 'r', bytes(41));
    assert.equal(cache.get('big', 'r'), undefined);
    assert.equal(cache.admits(40), true);
    const none = new SmallFileCache(0);
    none.set('k', 'r', bytes(1));
    assert.equal(none.get('k', 'r'), undefined);
    assert.equal(none.size, 0);
  });

  it('replaces an entry stored again under the same key, counting it once', () => {
    const cache = new SmallFileCache(budgetFor(3, 30));
    cache.set('k', 'r1', bytes(20, 1));
    cache.set('k', 'r2', bytes(30, 2));
    assert.equal(cache.size, 30 + ENTRY_OVERHEAD_BYTES);
    assert.deepEqual(cache.get('k', 'r2'), bytes(30, 2));
  });

  it('keeps only the bytes of a file, not the shared pool slab a small Buffer is a view into', () => {
    const cache = new SmallFileCache(budgetFor(10, 300));
    const pooled = Buffer.allocUnsafe(300).fill(7); // a view into one of Node's shared pool slabs
    assert.ok(pooled.buffer.byteLength > pooled.length, 'precondition: Node pools a Buffer this small');
    cache.set('k', 'r', pooled);
    const kept = cache.get('k', 'r');
    assert.deepEqual(kept, Buffer.alloc(300, 7));
    assert.equal(kept?.buffer.byteLength, 300, 'the kept bytes own their memory: the slab can be freed');
  });

  it('counts what each entry costs besides its bytes, so tiny files cannot hold more than the budget', () => {
    const budget = 64 * 1024;
    const cache = new SmallFileCache(budget);
    for (let i = 0; i < 10_000; i += 1) {
      cache.set(`metadata/${i}`, 'r', bytes(1));
    }
    const held = Array.from({ length: 10_000 }, (_, i) => cache.get(`metadata/${i}`, 'r')).filter(Boolean).length;
    assert.ok(held <= budget / ENTRY_OVERHEAD_BYTES, `${held} one-byte files held in a ${budget}-byte budget`);
    assert.ok(cache.size <= budget);
  });
});
