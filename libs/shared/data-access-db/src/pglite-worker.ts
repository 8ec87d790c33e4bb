/**
 * The worker thread behind `PgliteWorkerDatabase`: it owns one PGlite database and answers the
 * owning thread's requests. Transactions are held open here while the owner sends their statements
 * one by one; PGlite has one connection, so statements outside a transaction wait for it to end,
 * as they do in process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Database, SqlExecutor } from '@quiver/shared-ports';
import { PgliteDatabase } from './pglite-database.js';
import { serializeError, type PgliteAnswer, type PgliteRequest, type PgliteWorkerData } from './pglite-worker-protocol.js';

/** Jobs a task module offers (`PgliteWorkerData.tasks`): each runs here, next to the database. */
export type PgliteTasks = Readonly<Record<string, (db: Database, payload: never) => Promise<unknown>>>;

interface OpenTransaction {
  readonly executor: SqlExecutor;
  /** Ends the transaction: commit when `commit` is true, roll back otherwise. */
  readonly end: (commit: boolean) => void;
  /** Settles once the transaction has committed or rolled back. */
  readonly done: Promise<void>;
}

class RolledBack extends Error {}

const port = parentPort;
if (!port) {
  throw new Error('pglite-worker runs only as a worker thread');
}
const data = workerData as PgliteWorkerData;
const opened = PgliteDatabase.open(data.options);
const tasks: Promise<PgliteTasks> = data.tasks ? import(data.tasks).then((module: { tasks: PgliteTasks }) => module.tasks) : Promise.resolve({});
const transactions = new Map<number, OpenTransaction>();

const answer = (message: PgliteAnswer): void => port.postMessage(message);

async function begin(db: PgliteDatabase, id: number, isolation: PgliteRequest & { op: 'begin' }): Promise<void> {
  let started!: (executor: SqlExecutor) => void;
  const executor = new Promise<SqlExecutor>((resolve) => (started = resolve));
  let end!: (commit: boolean) => void;
  const ended = new Promise<boolean>((resolve) => (end = resolve));
  const done = db
    .transaction(
      async (tx) => {
        started(tx);
        if (!(await ended)) {
          throw new RolledBack();
        }
      },
      isolation.isolation ? { isolation: isolation.isolation } : {},
    )
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) {
        throw error;
      }
    });
  // A transaction that could not begin rejects `done` before `executor` resolves.
  const first = await Promise.race([executor, done.then(() => undefined)]);
  if (!first) {
    throw new Error('the transaction ended before it began');
  }
  transactions.set(id, { executor: first, end, done });
}

async function handle(request: PgliteRequest): Promise<unknown> {
  const db = await opened;
  switch (request.op) {
    case 'query':
      return (request.tx === undefined ? db : executorOf(request.tx)).query(request.sql, request.params);
    case 'exec':
      return (request.tx === undefined ? db : executorOf(request.tx)).exec(request.script);
    case 'begin':
      await begin(db, request.id, request);
      return request.id;
    case 'commit':
    case 'rollback': {
      const transaction = transactions.get(request.tx);
      if (!transaction) {
        throw new Error(`no open transaction ${request.tx}`);
      }
      transactions.delete(request.tx);
      transaction.end(request.op === 'commit');
      await transaction.done;
      return undefined;
    }
    case 'task': {
      const task = (await tasks)[request.task];
      if (!task) {
        throw new Error(`no task named ${request.task}`);
      }
      return task(db, request.payload as never);
    }
    case 'close':
      await db.close();
      return undefined;
  }
}

function executorOf(tx: number): SqlExecutor {
  const transaction = transactions.get(tx);
  if (!transaction) {
    throw new Error(`no open transaction ${tx}`);
  }
  return transaction.executor;
}

port.on('message', (request: PgliteRequest) => {
  handle(request).then(
    (value) => {
      answer({ id: request.id, ok: true, value });
      if (request.op === 'close') {
        port.close(); // the last answer is sent: the thread ends
      }
    },
    (error: unknown) => answer({ id: request.id, ok: false, error: serializeError(error) }),
  );
});
