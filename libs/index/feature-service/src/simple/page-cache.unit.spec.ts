import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BODY_OVERHEAD_BYTES, PAGE_OVERHEAD_BYTES, PageCache } from './page-cache.js';

const HTML = 'text/html';
const JSON_V1 = 'application/vnd.pypi.simple.v1+json';
/** What a page with one body of `bytes` takes from the budget. */
const onePage = (bytes: number): number => PAGE_OVERHEAD_BYTES + BODY_OVERHEAD_BYTES + bytes;

describe('PageCache', () => {
  it('keeps one body per format for one serial, and a newer serial replaces them all', () => {
    const cache = new PageCache(64 * 1024);
    const live = { serial: 5 };
    cache.set('demo', 5, live, HTML, 'html@5');
    cache.set('demo', 5, live, JSON_V1, 'json@5');
    assert.equal(cache.get('demo', HTML)?.body.toString(), 'html@5');
    assert.equal(cache.get('demo', JSON_V1)?.body.toString(), 'json@5');
    assert.equal(cache.get('demo', HTML)?.page.live, live, 'the live serial it was read with travels along');
    cache.set('demo', 9, live, HTML, 'html@9');
    assert.deepEqual([cache.get('demo', HTML)?.body.toString(), cache.get('demo', HTML)?.page.serial], ['html@9', 9]);
    assert.equal(cache.get('demo', JSON_V1), undefined, 'no body of the old serial survives a newer one');
  });

  it('keeps nothing for a format it does not know, and still hands back the bytes to send', () => {
    const cache = new PageCache(64 * 1024);
    assert.equal(cache.set('demo', 1, undefined, 'text/plain', 'x').toString(), 'x');
    assert.deepEqual([cache.get('demo', 'text/plain'), cache.size], [undefined, 0]);
  });

  it('holds each body in a Buffer that owns exactly its bytes, outside the shared pool', () => {
    const cache = new PageCache(64 * 1024);
    const sent = cache.set('demo', 1, undefined, HTML, '<a href="x">x</a>');
    const kept = cache.get('demo', HTML)?.body;
    assert.equal(kept, sent, 'the bytes sent are the bytes kept: one encoding');
    assert.deepEqual([kept?.byteOffset, kept?.buffer.byteLength], [0, kept?.length], 'a pool slab would be kept whole by a view into it');
  });

  it('stays within its budget, dropping pages not served since the last pass first (second chance)', () => {
    const cache = new PageCache(8 * onePage(10)); // eight pages with a body of 10 bytes fit
    const body = (name: string): string => name.padEnd(10, '.');
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) {
      cache.set(name, 1, undefined, HTML, body(name));
    }
    assert.deepEqual([cache.size, cache.projects], [8 * onePage(10), 8]);
    cache.get('a', HTML); // served: survives the next eviction although it is the oldest
    cache.set('i', 1, undefined, HTML, body('i'));
    const held = (names: string[]): (string | undefined)[] => names.map((name) => cache.get(name, HTML)?.body.toString());
    assert.deepEqual([cache.size, cache.projects], [8 * onePage(10), 8]);
    assert.equal(cache.get('b', HTML), undefined, 'the oldest page not served since went first');
    assert.equal(cache.get('a', HTML)?.body.toString(), body('a'));
    // Every page is now marked served: one full pass clears the marks, and then the oldest goes.
    assert.deepEqual(held(['c', 'd', 'e', 'f', 'g', 'h', 'i']), ['c', 'd', 'e', 'f', 'g', 'h', 'i'].map(body));
    cache.set('j', 1, undefined, HTML, body('j'));
    assert.deepEqual([cache.size, cache.projects], [8 * onePage(10), 8]);
    assert.equal(cache.get('j', HTML)?.body.toString(), body('j'), 'the page just kept is never the one dropped');
    assert.equal(held(['a', 'c', 'd', 'e', 'f', 'g', 'h', 'i']).filter((b) => b === undefined).length, 1);
  });

  it('counts every format of a page with its overheads, and frees the memory of a replaced serial', () => {
    const cache = new PageCache(64 * 1024);
    cache.set('demo', 1, undefined, HTML, 'x'.repeat(30));
    cache.set('demo', 1, undefined, JSON_V1, 'y'.repeat(50));
    assert.equal(cache.size, PAGE_OVERHEAD_BYTES + 2 * BODY_OVERHEAD_BYTES + 80);
    cache.set('demo', 1, undefined, HTML, 'z'.repeat(10)); // re-rendered at the same serial
    assert.equal(cache.size, PAGE_OVERHEAD_BYTES + 2 * BODY_OVERHEAD_BYTES + 60);
    cache.set('demo', 2, undefined, HTML, 'w'.repeat(20));
    assert.deepEqual([cache.size, cache.projects], [onePage(20), 1]);
    cache.set('é', 1, undefined, HTML, 'é'.repeat(10));
    assert.equal(cache.size, onePage(20) + onePage(20), 'bytes, not characters');
  });

  it('does not keep a page larger than an eighth of the budget, nor anything with a budget of 0', () => {
    const cache = new PageCache(8 * onePage(100));
    cache.set('big', 1, undefined, HTML, 'x'.repeat(101));
    cache.set('fits', 1, undefined, HTML, 'x'.repeat(100));
    assert.deepEqual([cache.get('big', HTML), cache.get('fits', HTML)?.body.length], [undefined, 100]);
    const none = new PageCache(0);
    assert.equal(none.set('demo', 1, undefined, HTML, 'x').toString(), 'x');
    assert.deepEqual([none.get('demo', HTML), none.size], [undefined, 0]);
  });
});
