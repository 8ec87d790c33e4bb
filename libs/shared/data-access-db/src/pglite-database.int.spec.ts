import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PgliteDatabase } from './pglite-database.js';

describe('PGlite on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-pglite-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps committed data across a close and reopen', async () => {
    const first = await PgliteDatabase.open({ dataDir: dir });
    await first.migrate([{ id: '0001_kv', sql: 'CREATE TABLE kv (k text PRIMARY KEY, v text)' }]);
    await first.transaction((tx) => tx.query("INSERT INTO kv VALUES ('a', 'b')"));
    await first.close();

    const second = await PgliteDatabase.open({ dataDir: dir });
    try {
      assert.deepEqual((await second.migrate([{ id: '0001_kv', sql: 'CREATE TABLE kv (k text PRIMARY KEY, v text)' }])).applied, []);
      assert.deepEqual((await second.query('SELECT k, v FROM kv')).rows, [{ k: 'a', v: 'b' }]);
    } finally {
      await second.close();
    }
  });
});
