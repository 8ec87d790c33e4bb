import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluatePreconditions, parseEntityTag, parseEntityTagList, rangeApplies, strongMatch, weakMatch } from './conditional-request.js';

const ETAG = '"abc"';

describe('parseEntityTag and parseEntityTagList (RFC 9110 §8.8.3)', () => {
  it('reads strong and weak tags, W/ case-sensitively', () => {
    assert.deepEqual(parseEntityTag('"abc"'), { weak: false, opaque: 'abc' });
    assert.deepEqual(parseEntityTag(' W/"abc" '), { weak: true, opaque: 'abc' });
    assert.deepEqual(parseEntityTag('""'), { weak: false, opaque: '' });
    for (const bad of ['abc', 'w/"abc"', '"abc', '"a"b"', '"abc" x', '"a b"', '*', '', 'W/ "abc"']) {
      assert.equal(parseEntityTag(bad), undefined, bad);
    }
  });

  it('reads lists tag by tag, so a comma inside a tag is kept, and allows empty elements', () => {
    assert.deepEqual(parseEntityTagList('"a", W/"b" ,"c,d"'), [
      { weak: false, opaque: 'a' },
      { weak: true, opaque: 'b' },
      { weak: false, opaque: 'c,d' },
    ]);
    assert.deepEqual(parseEntityTagList(' , "a",,\t"b" ,'), [
      { weak: false, opaque: 'a' },
      { weak: false, opaque: 'b' },
    ]);
    assert.equal(parseEntityTagList(' * '), '*');
  });

  it('refuses malformed lists as a whole', () => {
    for (const bad of ['', ' ', ',', '"a" "b"', '"a", *', 'abc', '"a", b', '"a"x']) {
      assert.equal(parseEntityTagList(bad), undefined, JSON.stringify(bad));
    }
  });

  it('compares strongly and weakly (the table of §8.8.3.2)', () => {
    const rows: readonly [string, string, boolean, boolean][] = [
      ['W/"1"', 'W/"1"', false, true],
      ['W/"1"', 'W/"2"', false, false],
      ['W/"1"', '"1"', false, true],
      ['"1"', '"1"', true, true],
    ];
    for (const [a, b, strong, weak] of rows) {
      const [left, right] = [parseEntityTag(a), parseEntityTag(b)];
      assert.ok(left && right);
      assert.equal(strongMatch(left, right), strong, `${a} ${b} strong`);
      assert.equal(weakMatch(left, right), weak, `${a} ${b} weak`);
    }
  });
});

describe('evaluatePreconditions (RFC 9110 §13.2.2)', () => {
  it('proceeds without conditions, and ignores a malformed If-None-Match or If-Match', () => {
    assert.equal(evaluatePreconditions({}, ETAG), 'proceed');
    assert.equal(evaluatePreconditions({ 'if-none-match': 'abc' }, ETAG), 'proceed');
    assert.equal(evaluatePreconditions({ 'if-none-match': '' }, ETAG), 'proceed');
    assert.equal(evaluatePreconditions({ 'if-match': 'abc' }, ETAG), 'proceed');
  });

  it('answers 304 for If-None-Match naming the current tag in a list, weakly, or as *', () => {
    for (const value of ['"abc"', '"x", "abc"', '"x","abc" , "y"', 'W/"abc"', '"x", W/"abc"', '*', '"x", "abc"']) {
      assert.equal(evaluatePreconditions({ 'if-none-match': value }, ETAG), 'not-modified', value);
    }
  });

  it('proceeds for If-None-Match naming only other tags', () => {
    for (const value of ['"x"', '"x", W/"y"', '"ABC"', '"abc "', 'W/"ab"']) {
      assert.equal(evaluatePreconditions({ 'if-none-match': value }, ETAG), 'proceed', value);
    }
  });

  it('answers 412 for If-Match without a strong match, whatever If-None-Match says', () => {
    for (const value of ['"x"', 'W/"abc"', '"x", W/"abc"']) {
      assert.equal(evaluatePreconditions({ 'if-match': value }, ETAG), 'precondition-failed', value);
      assert.equal(evaluatePreconditions({ 'if-match': value, 'if-none-match': '*' }, ETAG), 'precondition-failed', value);
    }
  });

  it('lets If-Match with * or the current tag through to If-None-Match', () => {
    for (const value of ['*', '"abc"', '"x", "abc"']) {
      assert.equal(evaluatePreconditions({ 'if-match': value }, ETAG), 'proceed', value);
      assert.equal(evaluatePreconditions({ 'if-match': value, 'if-none-match': ETAG }, ETAG), 'not-modified', value);
    }
  });

  it('refuses a current tag that is not strong (a programming error)', () => {
    assert.throws(() => evaluatePreconditions({}, 'W/"abc"'));
    assert.throws(() => evaluatePreconditions({}, 'abc'));
  });
});

describe('rangeApplies (RFC 9110 §13.1.5)', () => {
  it('honours Range without If-Range, and with the current strong tag', () => {
    assert.equal(rangeApplies({}, ETAG), true);
    assert.equal(rangeApplies({ 'if-range': '"abc"' }, ETAG), true);
    assert.equal(rangeApplies({ 'if-range': ' "abc" ' }, ETAG), true);
  });

  it('ignores Range for another tag, a weak tag, a list, a date (no Last-Modified is sent) or garbage', () => {
    for (const value of ['"x"', 'W/"abc"', '"abc", "x"', '*', 'Wed, 21 Oct 2015 07:28:00 GMT', 'abc', '']) {
      assert.equal(rangeApplies({ 'if-range': value }, ETAG), false, value);
    }
  });
});
