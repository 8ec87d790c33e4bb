import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AndFilter, EqualityFilter, FilterParser } from 'ldapts';
import { andFilter, assertAttributeName, equalityFilter, escapeFilterValue, orFilter } from './ldap-filter.js';

describe('escapeFilterValue (RFC 4515 §3)', () => {
  const table: readonly (readonly [string, string])[] = [
    ['*', '\\2a'],
    ['(', '\\28'],
    [')', '\\29'],
    ['\\', '\\5c'],
    ['\0', '\\00'],
  ];
  for (const [raw, escaped] of table) {
    it(`escapes ${JSON.stringify(raw)} as ${escaped}`, () => {
      assert.equal(escapeFilterValue(raw), escaped);
    });
  }

  it('renders the RFC 4515 §4 example values', () => {
    assert.equal(escapeFilterValue('Parens R Us (for all your parenthetical needs)'), 'Parens R Us \\28for all your parenthetical needs\\29');
    assert.equal(escapeFilterValue('C:\\MyFile'), 'C:\\5cMyFile');
    assert.equal(escapeFilterValue('*'), '\\2a');
    // UTF-8 may stay unescaped (RFC 4515 UTFMB); only the five specials must be escaped.
    assert.equal(escapeFilterValue('Lučić'), 'Lučić');
  });

  it('neutralises the classic injections (RELIABILITY.md §(d) L3)', () => {
    assert.equal(escapeFilterValue('*)(uid=*))(|(uid=*'), '\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a');
    assert.equal(escapeFilterValue('admin*'), 'admin\\2a');
    // An already "escaped-looking" input is escaped again, not trusted.
    assert.equal(escapeFilterValue('a\\5c'), 'a\\5c5c');
    assert.equal(escapeFilterValue('a\0b'), 'a\\00b');
  });

  it('escapes every occurrence and leaves every other printable ASCII character alone', () => {
    assert.equal(escapeFilterValue('**(())\\\\'), '\\2a\\2a\\28\\28\\29\\29\\5c\\5c');
    for (let code = 1; code < 0x80; code += 1) {
      const character = String.fromCharCode(code);
      if ('*()\\'.includes(character)) {
        continue;
      }
      assert.equal(escapeFilterValue(character), character, `code ${code}`);
    }
  });

  it('round-trips through the ldapts filter parser as a literal equality value', () => {
    const hostile = ['*', 'admin*', '*)(uid=*))(|(uid=*', 'a\\', 'a\\5c', 'o*(reilly)', 'x\0y', '(&)', '\\2a'];
    for (const value of hostile) {
      const parsed = FilterParser.parseString(equalityFilter('uid', value));
      assert.ok(parsed instanceof EqualityFilter, value);
      assert.equal(parsed.attribute, 'uid');
      assert.equal(parsed.value, value);
    }
  });

  it('builds and/or filters whose parts stay intact', () => {
    const filter = andFilter([equalityFilter('objectClass', 'person'), equalityFilter('uid', '*)(uid=*')]);
    assert.equal(filter, '(&(objectClass=person)(uid=\\2a\\29\\28uid=\\2a))');
    const parsed = FilterParser.parseString(filter);
    assert.ok(parsed instanceof AndFilter);
    assert.equal(parsed.filters.length, 2);
    assert.equal(orFilter(['(a=1)']), '(a=1)');
    assert.equal(orFilter(['(a=1)', '(b=2)']), '(|(a=1)(b=2))');
  });
});

describe('assertAttributeName', () => {
  it('accepts names and numeric OIDs', () => {
    assert.equal(assertAttributeName('uid', 'x'), 'uid');
    assert.equal(assertAttributeName('sAMAccountName', 'x'), 'sAMAccountName');
    assert.equal(assertAttributeName('2.5.4.3', 'x'), '2.5.4.3');
  });

  it('refuses anything that could change a filter', () => {
    for (const name of ['', 'uid)', 'uid=*', '(uid', 'u id', '1uid', 'uid*']) {
      assert.throws(() => assertAttributeName(name, 'usernameAttribute'), /usernameAttribute must be an LDAP attribute name/, name);
    }
  });
});
