import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { DatabaseUnavailableError } from '@quiver/shared-ports';
import { databaseContract, requireEnv, uniqueName } from '@quiver/shared-testing';
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
