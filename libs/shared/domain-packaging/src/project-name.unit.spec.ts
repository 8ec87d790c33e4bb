import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filenameProjectName, isValidProjectName, normalizeProjectName } from './project-name.js';

describe('project names', () => {
  it('normalises per PEP 503', () => {
    for (const [raw, normal] of [
      ['Acme.Widget_Tools', 'acme-widget-tools'],
      ['friendly-bard', 'friendly-bard'],
      ['Friendly-Bard', 'friendly-bard'],
      ['FRIENDLY-BARD', 'friendly-bard'],
      ['friendly.bard', 'friendly-bard'],
      ['friendly_bard', 'friendly-bard'],
      ['friendly--bard', 'friendly-bard'],
      ['FrIeNdLy-._.-bArD', 'friendly-bard'],
    ] as const) {
      assert.equal(normalizeProjectName(raw), normal, raw);
    }
  });

  it('derives the filename form used by wheels and sdists', () => {
    assert.equal(filenameProjectName('Acme.Widget_Tools'), 'acme_widget_tools');
  });

  it('accepts valid names and refuses the ones BAD-INPUT.md lists', () => {
    for (const name of ['a', 'A1', 'acme.widget_tools', 'x-y']) {
      assert.equal(isValidProjectName(name), true, name);
    }
    for (const name of ['', 'foo-', '-foo', 'föö', 'a/b', 'a b', '.a', 'a\n']) {
      assert.equal(isValidProjectName(name), false, JSON.stringify(name));
    }
  });
});
