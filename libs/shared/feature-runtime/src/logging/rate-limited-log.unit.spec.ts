import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimitedLog } from './rate-limited-log.js';

describe('RateLimitedLog', () => {
  it('writes one line per interval and counts the ones it held back into the next', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new RateLimitedLog((line) => lines.push(line), 1000, () => now);
    log.note('a');
    for (let i = 0; i < 500; i += 1) {
      now += 1;
      log.note('b');
    }
    assert.deepEqual(lines, ['a']);
    now = 1000;
    log.note('c');
    now = 2500;
    log.note('d');
    assert.deepEqual(lines, ['a', 'c (and 500 more like it since the last such line)', 'd']);
  });
});
