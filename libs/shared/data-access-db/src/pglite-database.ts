import { existsSync } from 'node:fs';
import { cp, rename, rm } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Database, IsolationLevel, Migration, QueryResult, SqlExecutor } from '@quiver/shared-ports';
import { applyMigrations } from './migrations.js';

export interface PgliteDatabaseOptions {
  /** Directory holding the database; omitted, the database lives in memory. */
  readonly dataDir?: string;
  /**
   * Postgres's buffer pool (`shared_buffers`) in bytes, at least 128 KiB; omitted, Postgres's
   * default of 128 MiB. The pool lives in PGlite's WebAssembly memory, which is touched at start and
   * never shrinks, so it is resident for the life of the process; pages outside it are read through
   * the operating system's page cache (docs/adr/0017).
   */
  readonly sharedBuffersBytes?: number;
}

/** Postgres counts `shared_buffers` in 8 KiB blocks and needs at least 16 of them. */
const BLOCK_BYTES = 8192;
const MIN_BLOCKS = 16;

type PgliteQueryable = Pick<PGlite, 'query'>;

/** The embedded adapter: real Postgres compiled to WASM, in this process, speaking the same SQL. */
export class PgliteDatabase implements Database {
  private constructor(private readonly db: PGlite) {}

  static async open(options: PgliteDatabaseOptions = {}): Promise<PgliteDatabase> {
    const settings =
      options.sharedBuffersBytes === undefined
        ? {}
        : { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${Math.max(MIN_BLOCKS, Math.floor(options.sharedBuffersBytes / BLOCK_BYTES))}`] };
    const db = options.dataDir === undefined ? await PGlite.create(settings) : await PGlite.create(options.dataDir, settings);
    return new PgliteDatabase(db);
  }

  /**
   * Creates each of `dataDirs` that does not exist yet as a fresh, empty database cluster, running
   * Postgres's initdb once for all of them: the first is created, closed cleanly, and copied to the
   * rest (initdb is most of a fresh start: about 4 s of CPU a cluster here, against 0.1 s to copy
   * one). Directories that exist are left as they are. Each copy is then opened, migrated and
   * written on its own; only their `pg_control` system identifiers are the same.
   */
  static async initialiseClusters(dataDirs: readonly string[]): Promise<void> {
    const missing = dataDirs.filter((dir) => !existsSync(dir));
    const [first, ...rest] = missing;
    if (first === undefined) {
      return;
    }
    const template = `${first}.initialising`;
    await rm(template, { recursive: true, force: true }); // left by a start that died during initdb
    const fresh = await PGlite.create(template);
    await fresh.close();
    await Promise.all(rest.map((dir) => cp(template, dir, { recursive: true })));
    await rename(template, first);
  }

  query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
    return run<Row>(this.db, sql, params);
  }

  async exec(script: string): Promise<void> {
    await this.db.exec(script);
  }

  /** PGlite has one connection: other queries wait until this transaction ends. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: { readonly isolation?: IsolationLevel } = {}): Promise<T> {
    return this.db.transaction(async (inner) => {
      if (options.isolation) {
        await inner.query(`SET TRANSACTION ISOLATION LEVEL ${options.isolation.toUpperCase()}`);
      }
      return work({
        query: <Row>(sql: string, params: readonly unknown[] = []) => run<Row>(inner, sql, params),
        exec: async (script: string) => {
          await inner.exec(script);
        },
      });
    });
  }

  migrate(migrations: readonly Migration[]): Promise<{ readonly applied: readonly string[] }> {
    return this.transaction(async (tx) => ({ applied: await applyMigrations(tx, migrations) }));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

async function run<Row>(db: PgliteQueryable, sql: string, params: readonly unknown[]): Promise<QueryResult<Row>> {
  const result = await db.query<Row>(sql, params as unknown[]);
  // PGlite reports affectedRows 0 for a SELECT; Postgres counts the rows a query returned.
  return { rows: result.rows, rowCount: result.rows.length > 0 ? result.rows.length : (result.affectedRows ?? 0) };
}
