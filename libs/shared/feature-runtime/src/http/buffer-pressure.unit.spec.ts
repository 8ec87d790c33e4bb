import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferPressureValve, minorCollection } from './buffer-pressure.js';

describe('BufferPressureValve', () => {
  it('collects once the ArrayBuffer total grew by a step, measuring from the last collection or low', () => {
    let total = 100;
    let collections = 0;
    const valve = new BufferPressureValve(() => {
      collections += 1;
      total = 110; // what survived the collection
    }, () => total, 50);
    const release = valve.enter();
    total = 149;
    valve.check();
    assert.equal(collections, 0, 'below one step');
    total = 150;
    valve.check();
    assert.equal(collections, 1);
    total = 159;
    valve.check();
    assert.equal(collections, 1, 'measured from what survived (110)');
    total = 60;
    valve.check();
    total = 110;
    valve.check();
    assert.equal(collections, 2, 'measured from the new low (60)');
    release();
    release();
  });

  it('runs its timer only while bodies are in flight', () => {
    const valve = new BufferPressureValve(() => undefined, () => 0);
    assert.equal(valve.watching, false);
    const first = valve.enter();
    const second = valve.enter();
    assert.equal(valve.watching, true);
    first();
    first();
    assert.equal(valve.watching, true, 'a double release does not stop it early');
    second();
    assert.equal(valve.watching, false);
  });

  it('frees dead Buffers with a real minor collection', async () => {
    const collect = minorCollection();
    let garbage: Buffer[] | undefined = Array.from({ length: 256 }, (_, i) => Buffer.alloc(64 * 1024).fill(i)); // 16 MiB
    const before = process.memoryUsage().arrayBuffers;
    garbage = undefined;
    collect();
    // Backing stores are released right after the collection, partly on a later tick.
    const deadline = Date.now() + 5000;
    while (process.memoryUsage().arrayBuffers > before - 8 * 1024 * 1024 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(garbage, undefined);
    assert.ok(process.memoryUsage().arrayBuffers <= before - 8 * 1024 * 1024, 'at least half of the garbage was freed');
  });
});
