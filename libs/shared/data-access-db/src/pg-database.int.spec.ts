import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { DatabaseUnavailableError } from '@quiver/shared-ports';
import { databaseContract, eventually, requireEnv, uniqueName } from '@quiver/shared-testing';
import { PgDatabase } from './pg-database.js';

async function openInFreshSchema(): Promise<PgDatabase> {
  const url = requireEnv('QUIVER_TEST_PG_URL');
  const schema = uniqueName('t').replaceAll('-', '_');
  const admin = new PgDatabase({ connectionString: url });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.close();
  return new PgDatabase({ connectionString: url, schema });
}

databaseContract('Postgres (pg)', openInFreshSchema);

describe('Postgres (pg) availability', () => {
  it('fails a transaction whose connection the server ends between two statements, and the process goes on', async () => {
    const db = await openInFreshSchema();
    const admin = new PgDatabase({ connectionString: requireEnv('QUIVER_TEST_PG_URL') });
    try {
      const attempt = db.transaction(async (tx) => {
        const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        // The server ends this connection while the transaction waits between statements (no query
        // in flight): the client emits 'error', which must not reach the process as unhandled.
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
        await eventually(async () => (await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [rows[0]?.pid])).rows[0]?.n === 0, {
          what: 'the backend gone',
        });
        await tx.query('SELECT 1');
      });
      await assert.rejects(attempt);
      const { rows } = await db.query<{ one: number }>('SELECT 1 AS one');
      assert.deepEqual(rows, [{ one: 1 }], 'the pool serves on a new connection');
    } finally {
      await admin.close();
      await db.close();
    }
  });

  it('reports an unreachable server as DatabaseUnavailableError', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const db = new PgDatabase({ connectionString: `postgres://nobody:x@127.0.0.1:${port}/none`, connectTimeoutMs: 2000 });
    try {
      await assert.rejects(db.query('SELECT 1'), DatabaseUnavailableError);
    } finally {
      await db.close();
    }
  });
});
