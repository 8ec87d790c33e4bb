import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, normalizeVersion, parseVersion, type Version } from './version.js';

describe('PEP 440 versions', () => {
  it('normalises the permitted spellings', () => {
    for (const [raw, normal] of [
      ['1.0', '1.0'],
      ['v1.0', '1.0'],
      ['1.0-ALPHA.1', '1.0a1'],
      ['1.0c1', '1.0rc1'],
      ['1.0.pre', '1.0rc0'],
      ['1.0-1', '1.0.post1'],
      ['1.0.rev2', '1.0.post2'],
      ['1.0-dev', '1.0.dev0'],
      ['1!2.0b2.post3.dev4', '1!2.0b2.post3.dev4'],
      ['1.0+Ubuntu-1', '1.0+ubuntu.1'],
      ['2013.10', '2013.10'],
    ] as const) {
      assert.equal(normalizeVersion(raw), normal, raw);
    }
  });

  it('refuses what is not a version (BAD-INPUT 4)', () => {
    for (const raw of ['dog', '1.0.dev.a1', '', ' 1.0', '1.0 ', '1..0', '1.0+', '1.0+a..b', '0.0.4test1', '1.0-']) {
      assert.equal(parseVersion(raw), undefined, JSON.stringify(raw));
    }
  });

  it('orders as installers do', () => {
    const ordered = [
      '1.0.dev456', '1.0a1', '1.0a2.dev456', '1.0a12.dev456', '1.0a12', '1.0b1.dev456', '1.0b2',
      '1.0b2.post345.dev456', '1.0b2.post345', '1.0rc1.dev456', '1.0rc1', '1.0', '1.0+abc.5', '1.0+abc.7',
      '1.0+5', '1.0.post456.dev34', '1.0.post456', '1.1.dev1', '1!0.1',
    ];
    const parsed = ordered.map((text) => parseVersion(text) as Version);
    const shuffled = [...parsed].reverse().sort(compareVersions);
    assert.deepEqual(shuffled, parsed);
    assert.equal(compareVersions(parseVersion('1.0') as Version, parseVersion('1.0.0') as Version), 0);
  });
});
