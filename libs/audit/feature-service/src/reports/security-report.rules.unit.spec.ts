import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heavyDownloaders, reportWindow } from './security-report.rules.js';

describe('security report rules', () => {
  it('flags downloads above 5x the average of the 4 windows before, and at least 50', () => {
    const flagged = heavyDownloaders([
      { tokenId: 'tk_a', actor: 'a', downloads: 50, previousDownloads: 0 },
      { tokenId: 'tk_b', actor: 'b', downloads: 49, previousDownloads: 0 },
      { tokenId: 'tk_c', actor: 'c', downloads: 100, previousDownloads: 80 }, // average 20: 100 is not above 5x
      { tokenId: 'tk_d', actor: 'd', downloads: 101, previousDownloads: 80 },
    ]);
    assert.deepEqual(flagged.map((row) => `${row.tokenId} ${row.previousAverage}`), ['tk_d 20', 'tk_a 0']);
  });

  it('reads a window as a duration back from now or an ISO time in the past', () => {
    const now = new Date('2026-12-29T00:00:00Z');
    assert.equal(reportWindow(undefined, now)?.since.toISOString(), '2026-12-22T00:00:00.000Z');
    assert.equal(reportWindow('36h', now)?.since.toISOString(), '2026-12-27T12:00:00.000Z');
    assert.equal(reportWindow('2026-12-01', now)?.since.toISOString(), '2026-12-01T00:00:00.000Z');
    for (const bad of ['7', 'd7', '0d', 'soon', '2027-01-01', '400d', '2020-01-01']) {
      assert.equal(reportWindow(bad, now), undefined, bad);
    }
  });
});
