import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSettingsBody } from './project-settings.request.js';

describe('project settings request body', () => {
  it('reads a duration, or null to turn the rule off', () => {
    assert.deepEqual(parseSettingsBody({ closeReleasesAfter: '14d' }), { ok: true, settings: { closeReleasesAfterSeconds: 1_209_600 } });
    assert.deepEqual(parseSettingsBody({ closeReleasesAfter: null }), { ok: true, settings: { closeReleasesAfterSeconds: null } });
  });

  it('reads nonVolatile, alone or with the other setting, and leaves out what was not given', () => {
    assert.deepEqual(parseSettingsBody({ nonVolatile: true }), { ok: true, settings: { nonVolatile: true } });
    assert.deepEqual(parseSettingsBody({ nonVolatile: false, closeReleasesAfter: '1h' }), { ok: true, settings: { nonVolatile: false, closeReleasesAfterSeconds: 3600 } });
  });

  it('reads an upload limit in bytes, or null for the registry\'s, and refuses one over 1 GiB', () => {
    assert.deepEqual(parseSettingsBody({ uploadLimit: 1024 ** 3 }), { ok: true, settings: { uploadLimitBytes: 1024 ** 3 } });
    assert.deepEqual(parseSettingsBody({ uploadLimit: null }), { ok: true, settings: { uploadLimitBytes: null } });
    assert.deepEqual(parseSettingsBody({ uploadLimit: 1024 ** 3 + 1 }), { ok: false, message: "'uploadLimit' can be at most 1 GiB (1073741824 bytes)." });
  });

  it('explains what it expected', () => {
    for (const body of [undefined, 'x', [], {}, { closeReleasesAfter: 14 }, { closeReleasesAfter: '2w' }, { closeReleasesAfter: '1d', other: 1 }, { nonVolatile: 'yes' }, { nonVolatile: null }, { uploadLimit: '1G' }, { uploadLimit: 0 }, { uploadLimit: 2.5 }]) {
      const result = parseSettingsBody(body);
      assert.ok(!result.ok, JSON.stringify(body));
      assert.match(result.message, /closeReleasesAfter.*nonVolatile.*uploadLimit/);
    }
  });
});
