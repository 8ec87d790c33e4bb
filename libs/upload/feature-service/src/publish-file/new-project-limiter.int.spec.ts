import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PgDatabase } from '@quiver/shared-data-access-db';
import { requireEnv, uniqueName } from '@quiver/shared-testing';
import { NewProjectLimiter } from './new-project-limiter.js';
import { uploadMigrations } from './upload.migrations.js';

describe('new-project limiter on Postgres, shared by two replicas (BAD-INPUT 44)', () => {
  let replicas: PgDatabase[] = [];

  before(async () => {
    const url = requireEnv('QUIVER_TEST_PG_URL');
    const schema = uniqueName('limit').replaceAll('-', '_');
    const admin = new PgDatabase({ connectionString: url });
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.close();
    replicas = [new PgDatabase({ connectionString: url, schema }), new PgDatabase({ connectionString: url, schema })];
    await replicas[0]?.migrate(uploadMigrations);
  });

  after(async () => {
    await Promise.all(replicas.map((db) => db.close()));
  });

  it('lets exactly the limit of concurrent reservations through, per principal, and frees released slots', async () => {
    const [first, second] = replicas.map((db) => new NewProjectLimiter(db, 3));
    assert.ok(first && second);
    const attempts = await Promise.all(Array.from({ length: 12 }, (_, index) => (index % 2 === 0 ? first : second).reserve('alice', `p-${index}`)));
    const granted = attempts.filter((id): id is string => id !== undefined);
    assert.equal(granted.length, 3);
    assert.equal(await first.reserve('alice', 'late'), undefined);
    assert.ok(await second.reserve('bob', 'other-principal'), 'another principal has its own budget');
    await first.release(granted[0] ?? '');
    assert.ok(await second.reserve('alice', 'after-release'), 'a released slot can be taken again');
    assert.equal(await first.reserve('alice', 'full-again'), undefined);
  });
});
