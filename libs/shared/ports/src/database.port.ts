/** SQL access shared by the Postgres (`pg`) and embedded (PGlite) adapters: one dialect, one set of migrations. */
export interface QueryResult<Row> {
  readonly rows: Row[];
  readonly rowCount: number;
}

export interface SqlExecutor {
  /** One statement, with `$1…` parameters. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** A script of several statements, without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface Migration {
  /** Sortable, unique, never renamed: `0001_events`. */
  readonly id: string;
  readonly sql: string;
}

export interface Database extends SqlExecutor {
  /** Runs `work` in one transaction: commit when it resolves, roll back when it rejects. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: { readonly isolation?: IsolationLevel }): Promise<T>;
  /** Applies, in id order and once each, the migrations not applied yet; safe to call from several replicas at once. */
  migrate(migrations: readonly Migration[]): Promise<{ readonly applied: readonly string[] }>;
  close(): Promise<void>;
}

/** The database could not be reached; callers map this to 503. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}
