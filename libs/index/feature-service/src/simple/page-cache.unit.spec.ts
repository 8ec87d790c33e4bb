import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PageCache } from './page-cache.js';
import type { VersionedPage } from './project.read-model.js';

const page = (serial: number): VersionedPage => ({ name: 'demo', lastSerial: serial, versions: [], files: [] });

describe('PageCache', () => {
  it('renders once per serial and format, and reloads when the serial moves on', async () => {
    const cache = new PageCache();
    let loads = 0;
    let renders = 0;
    const get = (serial: number, format: string) =>
      cache.body('demo', serial, format, () => Promise.resolve((loads += 1, page(serial))), (p) => `${format}@${(renders += 1, p.lastSerial)}`);
    assert.equal((await get(5, 'html'))?.body, 'html@5');
    assert.equal((await get(5, 'html'))?.body, 'html@5');
    assert.equal((await get(5, 'json'))?.body, 'json@5');
    assert.deepEqual([loads, renders], [1, 2]);
    assert.equal((await get(9, 'html'))?.body, 'html@9', 'a newer serial is never answered from the old page');
    assert.equal(loads, 2);
  });

  it('keeps at most maxEntries projects', async () => {
    const cache = new PageCache(2);
    let loads = 0;
    const get = (name: string) => cache.body(name, 1, 'html', () => Promise.resolve((loads += 1, { ...page(1), name })), (p) => p.name);
    await get('a');
    await get('b');
    await get('c');
    await get('a');
    assert.equal(loads, 4, "'a' was evicted and loaded again");
  });
});
