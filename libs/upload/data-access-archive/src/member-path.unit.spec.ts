import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shown } from './archive-refusal.js';
import { caseInsensitiveKey, isUnsafeMemberPath } from './member-path.js';

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

  it('folds the names a case-insensitive file system takes as one to one key', () => {
    const same: [string, string][] = [
      ['zc/__init__.py', 'zc/__INIT__.py'],
      ['Demo/X.py', 'demo/x.py'],
      ['caf\u00e9.py', 'cafe\u0301.py'], // NFC and NFD: one name on APFS and HFS+
      ['CAF\u00c9.py', 'cafe\u0301.py'],
      ['stra\u00dfe.py', 'STRASSE.py'], // full case folding, wider than NTFS's per-character table
      ['\u03bf\u03b4\u03bf\u03c2', '\u039f\u0394\u039f\u03a3'], // final sigma
      ['\u212a.py', 'k.py'], // Kelvin sign
      ['\u0131.py', 'I.py'], // dotless i upper-cases to I
      ['\ufb01le.py', 'FILE.py'], // the fi ligature upper-cases to FI, as Unicode case folding has it
    ];
    for (const [a, b] of same) {
      assert.equal(caseInsensitiveKey(a), caseInsensitiveKey(b), `${a} ~ ${b}`);
    }
    const different: [string, string][] = [
      ['a.py', 'b.py'],
      ['demo/x.py', 'demo-x.py'],
      ['x\u00b2.py', 'x2.py'], // compatibility equivalents stay apart: no file system applies NFKC
      ['\u0130.py', 'i.py'], // capital I with dot lower-cases to i plus a combining dot
    ];
    for (const [a, b] of different) {
      assert.notEqual(caseInsensitiveKey(a), caseInsensitiveKey(b), `${a} !~ ${b}`);
    }
  });

  it('shows names without control characters and at most 200 characters long', () => {
    assert.equal(shown('a\u0000b\u001bc'), 'a?b?c');
    assert.equal(shown('x'.repeat(500)).length, 200);
  });
});
