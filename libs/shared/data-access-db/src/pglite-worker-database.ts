import { Worker } from 'node:worker_threads';
import type { Database, IsolationLevel, Migration, QueryResult, SqlExecutor } from '@quiver/shared-ports';
import { applyMigrations } from './migrations.js';
import type { PgliteDatabaseOptions } from './pglite-database.js';
import { deserializeError, type PgliteAnswer, type PgliteRequest, type PgliteWorkerData } from './pglite-worker-protocol.js';

/** A request without its id, as callers write it (TypeScript's Omit does not distribute over a union). */
type RequestBody = PgliteRequest extends infer R ? (R extends PgliteRequest ? Omit<R, 'id'> : never) : never;

export interface PgliteWorkerDatabaseOptions extends PgliteDatabaseOptions {
  /**
   * A module (URL) exporting `tasks`, jobs that `runTask` runs in the worker next to the database:
   * work that would otherwise parse, hash and insert on the serving thread (the audit log's append).
   */
  readonly tasks?: URL;
}

/**
 * PGlite in a worker thread of its own: the same database and SQL as `PgliteDatabase`, but the
 * WebAssembly Postgres (and what `runTask` runs beside it) executes off the thread that serves
 * HTTP. For a database written on every request (the embedded audit log), so that the serving
 * thread pays a message per batch instead of the insert (docs/adr/0021).
 */
export class PgliteWorkerDatabase implements Database {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.unref(); // referenced only while a request is in flight (see `send`)
    worker.on('message', (answer: PgliteAnswer) => {
      const waiting = this.pending.get(answer.id);
      if (!waiting) {
        return;
      }
      this.pending.delete(answer.id);
      if (this.pending.size === 0) {
        this.worker.unref();
      }
      if (answer.ok) {
        waiting.resolve(answer.value);
      } else {
        waiting.reject(deserializeError(answer.error));
      }
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      for (const waiting of this.pending.values()) {
        waiting.reject(error);
      }
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the PGlite worker ended (exit code ${code})`)));
  }

  /** Starts the worker and opens the database in it; rejects when the database cannot be opened. */
  static async open(options: PgliteWorkerDatabaseOptions = {}): Promise<PgliteWorkerDatabase> {
    const { tasks, ...database } = options;
    const workerData: PgliteWorkerData = { options: database, ...(tasks ? { tasks: tasks.href } : {}) };
    const db = new PgliteWorkerDatabase(new Worker(new URL('./pglite-worker.js', import.meta.url), { workerData }));
    try {
      await db.query('SELECT 1');
    } catch (error) {
      await db.worker.terminate();
      throw error;
    }
    return db;
  }

  query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
    return this.send<QueryResult<Row>>({ op: 'query', sql, params });
  }

  async exec(script: string): Promise<void> {
    await this.send({ op: 'exec', script });
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: { readonly isolation?: IsolationLevel } = {}): Promise<T> {
    const tx = await this.send<number>({ op: 'begin', ...(options.isolation ? { isolation: options.isolation } : {}) });
    let result: T;
    try {
      result = await work({
        query: <Row>(sql: string, params: readonly unknown[] = []) => this.send<QueryResult<Row>>({ op: 'query', tx, sql, params }),
        exec: async (script: string) => {
          await this.send({ op: 'exec', tx, script });
        },
      });
    } catch (error) {
      await this.send({ op: 'rollback', tx }).catch(() => undefined); // the worker may be gone: the first error is the one to report
      throw error;
    }
    await this.send({ op: 'commit', tx });
    return result;
  }

  migrate(migrations: readonly Migration[]): Promise<{ readonly applied: readonly string[] }> {
    return this.transaction(async (tx) => ({ applied: await applyMigrations(tx, migrations) }));
  }

  /** Runs the task module's `name` job in the worker with `payload` (structured-cloned both ways). */
  runTask<T>(name: string, payload: unknown): Promise<T> {
    return this.send<T>({ op: 'task', task: name, payload });
  }

  async close(): Promise<void> {
    if (this.failure) {
      return;
    }
    const exited = new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
    });
    await this.send({ op: 'close' });
    await exited;
  }

  private send<T = unknown>(body: RequestBody): Promise<T> {
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.pending.size === 0) {
        this.worker.ref();
      }
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ ...body, id });
    });
  }
}
