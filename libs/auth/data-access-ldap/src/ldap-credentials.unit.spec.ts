import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUsablePassword, normalizeUsername } from './ldap-credentials.js';

describe('normalizeUsername', () => {
  it('keeps ordinary usernames as they are (case is left to the directory)', () => {
    assert.equal(normalizeUsername('alice'), 'alice');
    assert.equal(normalizeUsername('Alice'), 'Alice');
    assert.equal(normalizeUsername('o*(reilly)'), 'o*(reilly)');
    assert.equal(normalizeUsername('jürgen'), 'jürgen');
  });

  it('NFKC-normalizes: fullwidth and compatibility forms become their plain letters (L16)', () => {
    assert.equal(normalizeUsername('ａｌｉｃｅ'), 'alice');
    assert.equal(normalizeUsername('ﬁona'), 'fiona');
    // A combining sequence and its precomposed form are one username.
    assert.equal(normalizeUsername('ju\u0308rgen'), 'jürgen');
  });

  it('refuses whitespace rather than trimming it (L11)', () => {
    for (const username of [' alice', 'alice ', ' alice ', 'al ice', 'alice\t', '\u00a0alice', 'alice\u3000']) {
      assert.equal(normalizeUsername(username), undefined, JSON.stringify(username));
    }
  });

  it('refuses control, format and other invisible characters (L3, L16)', () => {
    for (const username of ['ali\0ce', 'alice\0', 'ali\u200bce', 'ali\u200dce', 'ali\u202ece', 'ali\x1bce', 'ali\x7fce', 'ali\ud800ce', 'ali\ue000ce']) {
      assert.equal(normalizeUsername(username), undefined, JSON.stringify(username));
    }
  });

  it('refuses empty, overlong and non-string usernames', () => {
    assert.equal(normalizeUsername(''), undefined);
    assert.equal(normalizeUsername('a'.repeat(257)), undefined);
    assert.equal(normalizeUsername('a'.repeat(256)), 'a'.repeat(256));
    assert.equal(normalizeUsername(undefined), undefined);
    assert.equal(normalizeUsername(42), undefined);
  });
});

describe('isUsablePassword', () => {
  it('refuses empty and whitespace-only passwords (L1, L2)', () => {
    for (const password of ['', ' ', '   ', '\t', ' \t\n ', '\u00a0', '\u3000']) {
      assert.equal(isUsablePassword(password), false, JSON.stringify(password));
    }
  });

  it('refuses NUL, overlong and non-string passwords', () => {
    assert.equal(isUsablePassword('secret\0'), false);
    assert.equal(isUsablePassword('x'.repeat(4097)), false);
    assert.equal(isUsablePassword(undefined), false);
    assert.equal(isUsablePassword(null), false);
  });

  it('accepts any other password exactly as typed, spaces included', () => {
    for (const password of ['secret', ' has spaces ', '  x', 'ünïcødé', '*)(uid=*']) {
      assert.equal(isUsablePassword(password), true, JSON.stringify(password));
    }
  });
});
