import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database, Migration } from '@quiver/shared-ports';

const migrations: readonly Migration[] = [
  {
    id: '0001_items',
    sql: `CREATE TABLE items (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name text NOT NULL UNIQUE,
            doc jsonb NOT NULL DEFAULT '{}'::jsonb,
            bytes bytea,
            at timestamptz NOT NULL DEFAULT now())`,
  },
  // A script of several statements, as real migrations are.
  { id: '0002_items_size', sql: 'ALTER TABLE items ADD COLUMN size bigint NOT NULL DEFAULT 0;\nCREATE INDEX items_size ON items (size);' },
];

const errorCode = (error: unknown): unknown => (error as { code?: unknown }).code;

/**
 * One suite that every Database adapter passes. `open` returns a fresh, empty database (a new
 * schema on Postgres, a new in-memory instance on PGlite).
 */
export function databaseContract(adapterName: string, open: () => Promise<Database>): void {
  describe(`Database contract: ${adapterName}`, () => {
    let db: Database;

    before(async () => {
      db = await open();
    });

    after(async () => {
      await db.close();
    });

    it('applies migrations once, in id order, and reports what it applied', async () => {
      const reversed = [...migrations].reverse();
      assert.deepEqual((await db.migrate(reversed)).applied, ['0001_items', '0002_items_size']);
      assert.deepEqual((await db.migrate(migrations)).applied, []);
      const { rows } = await db.query<{ id: string }>('SELECT id FROM quiver_migrations ORDER BY id');
      assert.deepEqual(rows.map((row) => row.id), ['0001_items', '0002_items_size']);
    });

    it('applies each migration once when several callers migrate at the same time', async () => {
      const next: Migration = { id: '0003_counter', sql: 'CREATE TABLE counter (n int NOT NULL)' };
      const results = await Promise.all([1, 2, 3].map(() => db.migrate([...migrations, next])));
      const applied = results.flatMap((result) => result.applied);
      assert.deepEqual(applied, ['0003_counter']);
    });

    it('rolls back a failing migration entirely', async () => {
      const broken: Migration = { id: '0004_broken', sql: 'CREATE TABLE half (n int); SELECT no_such_function()' };
      await assert.rejects(db.migrate([broken]), /no_such_function/);
      const { rows } = await db.query("SELECT 1 FROM quiver_migrations WHERE id = '0004_broken'");
      assert.equal(rows.length, 0);
      const table = await db.query("SELECT to_regclass('half') AS t");
      assert.equal((table.rows[0] as { t: unknown }).t, null);
    });

    it('round-trips typed parameters: text, bigint, jsonb, bytea, timestamptz', async () => {
      const at = new Date('2026-01-02T03:04:05.678Z');
      const bytes = Uint8Array.from([0, 1, 254, 255]);
      await db.query('INSERT INTO items (name, doc, bytes, at, size) VALUES ($1, $2, $3, $4, $5)', [
        'typed',
        JSON.stringify({ a: [1, 'two'] }),
        bytes,
        at,
        '9007199254740993',
      ]);
      const { rows } = await db.query<{ doc: unknown; bytes: Uint8Array; at: Date; size: string }>(
        "SELECT doc, bytes, at, size::text AS size FROM items WHERE name = 'typed'",
      );
      const row = rows[0];
      assert.ok(row);
      assert.deepEqual(row.doc, { a: [1, 'two'] });
      assert.deepEqual([...row.bytes], [...bytes]);
      assert.equal(row.at.toISOString(), at.toISOString());
      assert.equal(row.size, '9007199254740993');
    });

    it('commits a transaction that resolves', async () => {
      const value = await db.transaction(async (tx) => {
        await tx.query("INSERT INTO items (name) VALUES ('committed')");
        return 42;
      });
      assert.equal(value, 42);
      assert.equal((await db.query("SELECT 1 FROM items WHERE name = 'committed'")).rowCount, 1);
    });

    it('rolls back every statement of a transaction that rejects', async () => {
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO items (name) VALUES ('rolled-back')");
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.equal((await db.query("SELECT 1 FROM items WHERE name = 'rolled-back'")).rowCount, 0);
    });

    it('reports a unique violation with SQLSTATE 23505 and keeps the first row', async () => {
      await db.query("INSERT INTO items (name) VALUES ('unique')");
      const error = await db.query("INSERT INTO items (name) VALUES ('unique')").then(
        () => undefined,
        (caught: unknown) => caught,
      );
      assert.equal(errorCode(error), '23505');
      assert.equal((await db.query("SELECT 1 FROM items WHERE name = 'unique'")).rowCount, 1);
    });

    it('runs serializable transactions and counts affected rows', async () => {
      const updated = await db.transaction(
        async (tx) => (await tx.query("UPDATE items SET size = size + 1 WHERE name IN ('unique', 'committed')")).rowCount,
        { isolation: 'serializable' },
      );
      assert.equal(updated, 2);
    });

    it('serialises concurrent transactions on one row without losing an update', async () => {
      await db.query("INSERT INTO items (name, size) VALUES ('counter', 0)");
      await Promise.all(
        Array.from({ length: 10 }, () =>
          db.transaction(async (tx) => {
            const { rows } = await tx.query<{ size: string }>("SELECT size FROM items WHERE name = 'counter' FOR UPDATE");
            await tx.query("UPDATE items SET size = $1 WHERE name = 'counter'", [Number(rows[0]?.size) + 1]);
          }),
        ),
      );
      const { rows } = await db.query<{ size: string }>("SELECT size::text AS size FROM items WHERE name = 'counter'");
      assert.equal(rows[0]?.size, '10');
    });
  });
}
