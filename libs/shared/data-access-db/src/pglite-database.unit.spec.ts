import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { databaseContract } from '@quiver/shared-testing';
import { PgliteDatabase } from './pglite-database.js';

databaseContract('PGlite (in memory)', () => PgliteDatabase.open());

describe('PGlite buffer pool', () => {
  it('is as large as told (shared_buffers lives in WebAssembly memory, which never shrinks)', async () => {
    const db = await PgliteDatabase.open({ sharedBuffersBytes: 8 * 1024 * 1024 });
    try {
      assert.deepEqual((await db.query('SHOW shared_buffers')).rows, [{ shared_buffers: '8MB' }]);
    } finally {
      await db.close();
    }
  });

  it('never goes below the 16 blocks Postgres needs', async () => {
    const db = await PgliteDatabase.open({ sharedBuffersBytes: 1 });
    try {
      assert.deepEqual((await db.query('SHOW shared_buffers')).rows, [{ shared_buffers: '128kB' }]);
    } finally {
      await db.close();
    }
  });
});
