import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shown } from './archive-refusal.js';
import { isUnsafeMemberPath } from './member-path.js';

describe('member paths', () => {
  it('accepts plain relative paths', () => {
    for (const name of ['demo-1.0/PKG-INFO', 'demo/__init__.py', 'a/b..c/.hidden', 'ünïcode/名前.py']) {
      assert.equal(isUnsafeMemberPath(name), false, name);
    }
  });

  it('refuses absolute, drive, parent-relative, backslash, control-character and collapsible paths', () => {
    for (const name of ['/etc/passwd', 'C:x', 'c:/x', '../x', 'a/../../x', 'a\\b', 'a\u0000b', 'a\nb', '', 'a//b', './a', 'a/./b', 'a/']) {
      assert.equal(isUnsafeMemberPath(name), true, JSON.stringify(name));
    }
  });

  it('shows names without control characters and at most 200 characters long', () => {
    assert.equal(shown('a\u0000b\u001bc'), 'a?b?c');
    assert.equal(shown('x'.repeat(500)).length, 200);
  });
});
