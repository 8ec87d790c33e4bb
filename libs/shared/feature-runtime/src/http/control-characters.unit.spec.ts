import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { controlCharacterIn } from './control-characters.js';

describe('controlCharacterIn', () => {
  it('finds percent-encoded C0 controls, DEL and C1 controls (as UTF-8) in the path, in any case', () => {
    for (const url of ['/files/x/a.whl%00', '/simple/%0a/', '/simple/a%0D%0Ab/', '/p/%1f', '/p/%1F', '/p/%7f', '/p/%7F', '/p/%c2%80', '/p/%C2%9F', '/p/%09x?format=text/html']) {
      assert.equal(controlCharacterIn(url), 'path', url);
    }
  });

  it('finds them in the query, keys and values alike', () => {
    for (const url of ['/simple/?format=%00', '/simple/?%00=1', '/x?a=1&b=%0d%0a', '/x?a=%C2%85', '/x?a=b?%00']) {
      assert.equal(controlCharacterIn(url), 'query', url);
    }
  });

  it('finds raw control characters (the HTTP parser refuses most before they get here)', () => {
    assert.equal(controlCharacterIn('/p/a\u0000b'), 'path');
    assert.equal(controlCharacterIn('/p/a\u0085b'), 'path');
    assert.equal(controlCharacterIn('/p/?q=\u007f'), 'query');
  });

  it('lets everything else through: other escapes, an escaped percent sign, non-ASCII text', () => {
    for (const url of ['/', '/simple/', '/simple/?format=application/vnd.pypi.simple.v1%2Bjson', '/files/ab/demo-1.0.tar.gz', '/p/%2500', '/p/%25%30%30', '/p/%20%7e%C3%A9', '/p/%c2%a0', '/p/%c3%80', '/p/f%C3%B6%C3%B6?x=%E2%80%AE', '/p/%ff', '/p/%2']) {
      assert.equal(controlCharacterIn(url), undefined, url);
    }
  });
});
