import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PageCache } from './page-cache.js';

const HTML = 'text/html';
const JSON_V1 = 'application/vnd.pypi.simple.v1+json';

describe('PageCache', () => {
  it('keeps one body per format for one serial, and a newer serial replaces them all', () => {
    const cache = new PageCache(1024);
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
    const cache = new PageCache(1024);
    cache.set('demo', 1, undefined, 'text/plain', 'x');
    assert.equal(cache.get('demo', 'text/plain'), undefined);
  });

  it('stays within its byte budget, dropping pages not served since the last pass first (second chance)', () => {
    const cache = new PageCache(80); // bodies of 10 bytes: eight fit
    const body = (name: string): string => name.padEnd(10, '.');
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) {
      cache.set(name, 1, undefined, HTML, body(name));
    }
    assert.deepEqual([cache.size, cache.projects], [80, 8]);
    cache.get('a', HTML); // served: survives the next eviction although it is the oldest
    cache.set('i', 1, undefined, HTML, body('i'));
    const held = (names: string[]): (string | undefined)[] => names.map((name) => cache.get(name, HTML)?.body);
    assert.deepEqual([cache.size, cache.projects], [80, 8]);
    assert.equal(cache.get('b', HTML), undefined, 'the oldest page not served since went first');
    assert.equal(cache.get('a', HTML)?.body, body('a'));
    // Every page is now marked served: one full pass clears the marks, and then the oldest goes.
    assert.deepEqual(held(['c', 'd', 'e', 'f', 'g', 'h', 'i']), ['c', 'd', 'e', 'f', 'g', 'h', 'i'].map(body));
    cache.set('j', 1, undefined, HTML, body('j'));
    assert.deepEqual([cache.size, cache.projects], [80, 8]);
    assert.equal(cache.get('j', HTML)?.body, body('j'), 'the page just kept is never the one dropped');
    assert.equal(held(['a', 'c', 'd', 'e', 'f', 'g', 'h', 'i']).filter((b) => b === undefined).length, 1);
  });

  it('counts every format of a page, and frees the bytes of a replaced serial', () => {
    const cache = new PageCache(1024);
    cache.set('demo', 1, undefined, HTML, 'x'.repeat(30));
    cache.set('demo', 1, undefined, JSON_V1, 'y'.repeat(50));
    assert.equal(cache.size, 80);
    cache.set('demo', 1, undefined, HTML, 'z'.repeat(10)); // re-rendered at the same serial
    assert.equal(cache.size, 60);
    cache.set('demo', 2, undefined, HTML, 'w'.repeat(20));
    assert.deepEqual([cache.size, cache.projects], [20, 1]);
    cache.set('é', 1, undefined, HTML, 'é'.repeat(10));
    assert.equal(cache.size, 40, 'bytes, not characters');
  });

  it('does not keep a page larger than an eighth of the budget, nor anything with a budget of 0', () => {
    const cache = new PageCache(800);
    cache.set('big', 1, undefined, HTML, 'x'.repeat(101));
    cache.set('fits', 1, undefined, HTML, 'x'.repeat(100));
    assert.deepEqual([cache.get('big', HTML), cache.get('fits', HTML)?.body.length], [undefined, 100]);
    const none = new PageCache(0);
    none.set('demo', 1, undefined, HTML, 'x');
    assert.deepEqual([none.get('demo', HTML), none.size], [undefined, 0]);
  });
});
