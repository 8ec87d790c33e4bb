import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationText, formatDuration, parseDuration } from './duration.js';

describe('setting durations', () => {
  it('reads whole numbers of days, hours, minutes or seconds', () => {
    assert.equal(parseDuration('14d'), 14 * 86_400);
    assert.equal(parseDuration('12h'), 12 * 3_600);
    assert.equal(parseDuration('30m'), 1_800);
    assert.equal(parseDuration(' 1s '), 1);
    for (const bad of ['', '0d', '14', 'd', '1.5d', '-1d', '14 days', '1w']) {
      assert.equal(parseDuration(bad), undefined, bad);
    }
  });

  it('says it back in words and in the compact form', () => {
    assert.equal(formatDuration(14 * 86_400), '14 days');
    assert.equal(formatDuration(1), '1 second');
    assert.equal(formatDuration(90), '90 seconds');
    assert.equal(formatDuration(7_200), '2 hours');
    assert.equal(durationText(14 * 86_400), '14d');
    assert.equal(durationText(90), '90s');
  });
});
