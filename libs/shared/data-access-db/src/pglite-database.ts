import { PGlite } from '@electric-sql/pglite';
import type { Database, IsolationLevel, Migration, QueryResult, SqlExecutor } from '@quiver/shared-ports';
import { applyMigrations } from './migrations.js';

export interface PgliteDatabaseOptions {
  /** Directory holding the database; omitted, the database lives in memory. */
  readonly dataDir?: string;
}

type PgliteQueryable = Pick<PGlite, 'query'>;

/** The embedded adapter: real Postgres compiled to WASM, in this process, speaking the same SQL. */
export class PgliteDatabase implements Database {
  private constructor(private readonly db: PGlite) {}

  static async open(options: PgliteDatabaseOptions = {}): Promise<PgliteDatabase> {
    const db = options.dataDir === undefined ? await PGlite.create() : await PGlite.create(options.dataDir);
    return new PgliteDatabase(db);
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
