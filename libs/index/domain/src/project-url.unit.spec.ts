import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidSimpleName, normalizeSimpleName, resolveProjectPath } from './project-url.js';

describe('normalizeSimpleName', () => {
  it('lowercases and collapses runs of - _ . into one -', () => {
    for (const [raw, normal] of [
      ['Foo.Bar_baz', 'foo-bar-baz'],
      ['FrIeNdLy-._.-bArD', 'friendly-bard'],
      ['a__b', 'a-b'],
      ['demo', 'demo'],
    ] as const) {
      assert.equal(normalizeSimpleName(raw), normal, raw);
    }
  });
});

describe('resolveProjectPath', () => {
  it('redirects a non-normalised name to its normalised URL (BAD-INPUT 51)', () => {
    assert.deepEqual(resolveProjectPath('Foo.Bar_baz'), { kind: 'redirect', location: '/simple/foo-bar-baz/' });
    assert.deepEqual(resolveProjectPath('DEMO'), { kind: 'redirect', location: '/simple/demo/' });
    assert.deepEqual(resolveProjectPath('a--b'), { kind: 'redirect', location: '/simple/a-b/' });
  });

  it('accepts a normalised name as is', () => {
    assert.deepEqual(resolveProjectPath('foo-bar-baz'), { kind: 'ok', name: 'foo-bar-baz' });
    assert.deepEqual(resolveProjectPath('a'), { kind: 'ok', name: 'a' });
    assert.deepEqual(resolveProjectPath('0'), { kind: 'ok', name: '0' });
  });

  it('rejects names outside the PEP 508 pattern', () => {
    for (const raw of ['../etc', '..', '.', '', 'a/b', 'a b', '-foo', 'foo-', '_a', 'föö', 'a\n', 'a%2Fb', 'a\u0000b', '%2e%2e']) {
      assert.deepEqual(resolveProjectPath(raw), { kind: 'invalid' }, JSON.stringify(raw));
    }
  });

  it('rejects names longer than 200 characters', () => {
    assert.deepEqual(resolveProjectPath('a'.repeat(200)), { kind: 'ok', name: 'a'.repeat(200) });
    assert.deepEqual(resolveProjectPath('a'.repeat(201)), { kind: 'invalid' });
    assert.equal(isValidSimpleName('A'.repeat(201)), false);
  });
});
