import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSettingsBody } from './project-settings.request.js';

describe('project settings request body', () => {
  it('reads a duration, or null to turn the rule off', () => {
    assert.deepEqual(parseSettingsBody({ closeReleasesAfter: '14d' }), { ok: true, settings: { closeReleasesAfterSeconds: 1_209_600 } });
    assert.deepEqual(parseSettingsBody({ closeReleasesAfter: null }), { ok: true, settings: { closeReleasesAfterSeconds: null } });
  });

  it('explains what it expected', () => {
    for (const body of [undefined, 'x', [], {}, { closeReleasesAfter: 14 }, { closeReleasesAfter: '2w' }, { closeReleasesAfter: '1d', other: 1 }]) {
      const result = parseSettingsBody(body);
      assert.ok(!result.ok, JSON.stringify(body));
      assert.match(result.message, /closeReleasesAfter/);
    }
  });
});
