import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PageCache } from './page-cache.js';

const HTML = 'text/html';
const JSON_V1 = 'application/vnd.pypi.simple.v1+json';

describe('PageCache', () => {
  it('keeps one body per format for one serial, and a newer serial replaces them all', () => {
    const cache = new PageCache();
    const live = { serial: 5 };
    cache.set('demo', 5, live, HTML, 'html@5');
    cache.set('demo', 5, live, JSON_V1, 'json@5');
    assert.equal(cache.get('demo', HTML)?.body, 'html@5');
    assert.equal(cache.get('demo', JSON_V1)?.body, 'json@5');
    assert.equal(cache.get('demo', HTML)?.page.live, live, 'the live serial it was read with travels along');
    cache.set('demo', 9, live, HTML, 'html@9');
    assert.deepEqual([cache.get('demo', HTML)?.body, cache.get('demo', HTML)?.page.serial], ['html@9', 9]);
    assert.equal(cache.get('demo', JSON_V1), undefined, 'no body of the old serial survives a newer one');
  });

  it('keeps nothing for a format it does not know', () => {
    const cache = new PageCache();
    cache.set('demo', 1, undefined, 'text/plain', 'x');
    assert.equal(cache.get('demo', 'text/plain'), undefined);
  });

  it('keeps at most maxEntries projects, dropping the oldest', () => {
    const cache = new PageCache(2);
    for (const name of ['a', 'b', 'c']) {
      cache.set(name, 1, undefined, HTML, name);
    }
    assert.deepEqual(['a', 'b', 'c'].map((name) => cache.get(name, HTML)?.body), [undefined, 'b', 'c']);
  });
});
