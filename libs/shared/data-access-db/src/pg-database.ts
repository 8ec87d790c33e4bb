import pg from 'pg';
import {
  DatabaseUnavailableError,
  type Database,
  type IsolationLevel,
  type Migration,
  type QueryResult,
  type SqlExecutor,
} from '@quiver/shared-ports';
import { applyMigrations, beginStatement } from './migrations.js';
import { isConnectionFailure } from './pg-errors.js';

export interface PgDatabaseOptions {
  readonly connectionString: string;
  /** Every connection uses this schema first (tests isolate themselves this way). */
  readonly schema?: string;
  readonly maxConnections?: number;
  readonly connectTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  readonly applicationName?: string;
}

/** The production adapter: a `pg` connection pool. */
export class PgDatabase implements Database {
  private readonly pool: pg.Pool;

  constructor(options: PgDatabaseOptions) {
    const settings = [
      options.schema ? `-c search_path=${options.schema},public` : '',
      options.statementTimeoutMs ? `-c statement_timeout=${options.statementTimeoutMs}` : '',
    ].filter(Boolean);
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      application_name: options.applicationName ?? 'quiver',
      ...(settings.length > 0 ? { options: settings.join(' ') } : {}),
    });
    // An idle client whose server went away emits 'error'; unhandled, that would end the process.
    this.pool.on('error', () => undefined);
  }

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
    return guard(async () => toResult<Row>(await this.pool.query(sql, params as unknown[])));
  }

  async exec(script: string): Promise<void> {
    await guard(() => this.pool.query(script));
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: { readonly isolation?: IsolationLevel } = {}): Promise<T> {
    const client = await guard(() => this.pool.connect());
    // The pool stops listening for a client's errors while it is checked out. A server that goes
    // away between two statements of this transaction makes the client emit 'error' with no query
    // to fail, which, unheard, would end the process; the next statement fails instead.
    let lost: Error | undefined;
    const onLost = (error: Error): void => {
      lost = error;
    };
    client.on('error', onLost);
    const tx: SqlExecutor = {
      query: async <Row>(sql: string, params: readonly unknown[] = []) =>
        guard(async () => toResult<Row>(await client.query(sql, params as unknown[]))),
      exec: async (script: string) => {
        await guard(() => client.query(script)); // no parameters: the simple protocol runs every statement
      },
    };
    let broken: Error | undefined;
    try {
      await tx.query(beginStatement(options.isolation));
      const result = await work(tx);
      await tx.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      client.removeListener('error', onLost);
      client.release(broken ?? lost);
    }
  }

  migrate(migrations: readonly Migration[]): Promise<{ readonly applied: readonly string[] }> {
    return this.transaction(async (tx) => ({ applied: await applyMigrations(tx, migrations) }));
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

function toResult<Row>(result: pg.QueryResult): QueryResult<Row> {
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
}

async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isConnectionFailure(error)) {
      throw new DatabaseUnavailableError(`Postgres is unavailable: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
}
