import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SerialBatch } from './serial-batch.js';

describe('SerialBatch', () => {
  it('answers the requests of one event-loop turn with one lookup, in chunks', async () => {
    const lookups: string[][] = [];
    const batch = new SerialBatch((names) => {
      lookups.push([...names]);
      return Promise.resolve(new Map(names.filter((name) => name !== 'unknown').map((name) => [name, name.length])));
    }, 2);
    const answers = await Promise.all(['a', 'bb', 'a', 'ccc', 'unknown'].map((name) => batch.serialOf(name)));
    assert.deepEqual(answers, [1, 2, 1, 3, undefined]);
    assert.deepEqual(lookups, [['a', 'bb'], ['ccc', 'unknown']]);
    assert.equal(await batch.serialOf('dddd'), 4);
    assert.equal(lookups.length, 3, 'a later request gets a fresh lookup, never an old answer');
  });

  it('fails every waiting request when the lookup fails', async () => {
    const batch = new SerialBatch(() => Promise.reject(new Error('database down')));
    const results = await Promise.allSettled([batch.serialOf('a'), batch.serialOf('a'), batch.serialOf('b')]);
    assert.deepEqual(results.map((result) => result.status), ['rejected', 'rejected', 'rejected']);
  });
});
