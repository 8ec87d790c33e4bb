import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forEachConcurrently } from './bounded-concurrency.js';

describe('forEachConcurrently', () => {
  it('runs every task, never more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running += 1;
      peak = Math.max(peak, running);
      await Promise.resolve();
      done.push(item);
      running -= 1;
    });
    assert.deepEqual([...done].sort(), [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(peak, 3);
  });

  it('stops starting tasks after the first failure and throws it once the running ones settle', async () => {
    const started: number[] = [];
    let settled = 0;
    await assert.rejects(
      forEachConcurrently([1, 2, 3, 4, 5, 6], 2, async (item) => {
        started.push(item);
        await Promise.resolve();
        settled += 1;
        if (item === 2) {
          throw new Error('two');
        }
      }),
      /two/,
    );
    assert.deepEqual(started, [1, 2, 3]);
    assert.equal(settled, started.length);
  });
});
