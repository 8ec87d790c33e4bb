import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitionFor } from './partitioner.js';

describe('partitionFor', () => {
  it('maps a key to the same partition every time, within range', () => {
    for (const key of ['', 'a', 'project-numpy', 'ünïcödé', 'x'.repeat(1000)]) {
      const partition = partitionFor(key, 7);
      assert.ok(Number.isInteger(partition) && partition >= 0 && partition < 7);
      assert.equal(partitionFor(key, 7), partition);
    }
  });

  it('is FNV-1a over UTF-8 (pinned: another hash would move existing keys to other partitions)', () => {
    // Published FNV-1a 32-bit test vectors; a partition count of 2^32 exposes the raw hash.
    assert.equal(partitionFor('', 2 ** 32), 0x811c9dc5);
    assert.equal(partitionFor('a', 2 ** 32), 0xe40c292c);
    assert.equal(partitionFor('foobar', 2 ** 32), 0xbf9cf968);
  });

  it('spreads keys over the partitions', () => {
    const counts = new Array<number>(8).fill(0);
    for (let index = 0; index < 8000; index += 1) {
      const partition = partitionFor(`stream-${index}`, 8);
      counts[partition] = (counts[partition] ?? 0) + 1;
    }
    assert.ok(counts.every((count) => count > 700 && count < 1300), counts.join(','));
  });
});
