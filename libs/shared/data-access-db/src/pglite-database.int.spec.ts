import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
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

describe('PGlite clusters made from one initdb', () => {
  const root = mkdtempSync(join(tmpdir(), 'quiver-pglite-clusters-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('creates every missing cluster, each a database of its own, and leaves an existing one as it was', async () => {
    const existing = join(root, 'existing');
    const kept = await PgliteDatabase.open({ dataDir: existing });
    await kept.migrate([{ id: '0001_kv', sql: "CREATE TABLE kv (k text PRIMARY KEY, v text); INSERT INTO kv VALUES ('kept', 'yes')" }]);
    await kept.close();
    const dirs = ['a', 'b', 'c'].map((name) => join(root, name));
    await PgliteDatabase.initialiseClusters([...dirs, existing]);
    assert.deepEqual(readdirSync(root).sort(), ['a', 'b', 'c', 'existing'], 'no template left behind');

    const opened = await Promise.all(dirs.map((dir) => PgliteDatabase.open({ dataDir: dir })));
    try {
      for (const [index, db] of opened.entries()) {
        await db.migrate([{ id: '0001_kv', sql: 'CREATE TABLE kv (k text PRIMARY KEY, v text)' }]);
        await db.query('INSERT INTO kv VALUES ($1, $2)', ['own', String(index)]);
      }
      for (const [index, db] of opened.entries()) {
        assert.deepEqual((await db.query('SELECT k, v FROM kv')).rows, [{ k: 'own', v: String(index) }], `cluster ${index} holds only its own row`);
      }
    } finally {
      await Promise.all(opened.map((db) => db.close()));
    }
    const again = await PgliteDatabase.open({ dataDir: existing });
    try {
      assert.deepEqual((await again.query('SELECT k, v FROM kv')).rows, [{ k: 'kept', v: 'yes' }]);
    } finally {
      await again.close();
    }
  });
});

