import assert from 'node:assert/strict';
import { threadId } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { databaseContract } from '@quiver/shared-testing';
import { PgliteWorkerDatabase } from './pglite-worker-database.js';

databaseContract('PGlite in a worker thread', () => PgliteWorkerDatabase.open());

describe('PGlite in a worker thread', () => {
  it('runs a task module next to the database, off the calling thread, and reports its errors with their SQLSTATE', async () => {
    const db = await PgliteWorkerDatabase.open({ tasks: new URL('./pglite-worker-tasks.fixture.js', import.meta.url) });
    try {
      await db.query('CREATE TABLE notes (n int PRIMARY KEY)');
      const ran = await db.runTask<{ thread: number; count: number }>('insertAll', [1, 2, 3]);
      assert.notEqual(ran.thread, threadId, 'the task ran in another thread');
      assert.equal(ran.count, 3);
      assert.deepEqual((await db.query('SELECT n FROM notes ORDER BY n')).rows, [{ n: 1 }, { n: 2 }, { n: 3 }]);
      const error = await db.runTask('insertAll', [3]).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      assert.equal((error as { code?: unknown }).code, '23505');
      await assert.rejects(db.runTask('noSuchTask', null), /no task named noSuchTask/);
    } finally {
      await db.close();
    }
  });

  it('refuses requests after it was closed instead of waiting forever', async () => {
    const db = await PgliteWorkerDatabase.open();
    await db.close();
    await assert.rejects(db.query('SELECT 1'), /worker ended/);
  });
});
