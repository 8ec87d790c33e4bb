import { threadId } from 'node:worker_threads';
import type { Database } from '@quiver/shared-ports';

/** Tasks for the worker database's spec: they run in the worker, next to its database. */
export const tasks = {
  insertAll: async (db: Database, values: readonly number[]): Promise<{ thread: number; count: number }> => {
    await db.transaction(async (tx) => {
      for (const value of values) {
        await tx.query('INSERT INTO notes (n) VALUES ($1)', [value]);
      }
    });
    return { thread: threadId, count: values.length };
  },
};
