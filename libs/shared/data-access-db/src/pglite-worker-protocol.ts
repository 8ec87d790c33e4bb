import type { IsolationLevel } from '@quiver/shared-ports';
import type { PgliteDatabaseOptions } from './pglite-database.js';

/** What the worker is started with. */
export interface PgliteWorkerData {
  readonly options: PgliteDatabaseOptions;
  /** A module URL whose `tasks` export names the jobs `runTask` may run next to the database. */
  readonly tasks?: string;
}

/** One request from the owning thread; `id` is echoed in the answer. */
export type PgliteRequest =
  | { readonly id: number; readonly op: 'query'; readonly tx?: number; readonly sql: string; readonly params: readonly unknown[] }
  | { readonly id: number; readonly op: 'exec'; readonly tx?: number; readonly script: string }
  | { readonly id: number; readonly op: 'begin'; readonly isolation?: IsolationLevel }
  | { readonly id: number; readonly op: 'commit' | 'rollback'; readonly tx: number }
  | { readonly id: number; readonly op: 'task'; readonly task: string; readonly payload: unknown }
  | { readonly id: number; readonly op: 'close' };

/** An error as it crosses threads: its message and the fields callers read (`code` is the SQLSTATE). */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export type PgliteAnswer = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: SerializedError };

/** Postgres error fields worth carrying over (pg and PGlite name them alike). */
const ERROR_FIELDS = ['code', 'detail', 'hint', 'severity', 'constraint', 'table', 'column', 'schema', 'routine'] as const;

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) {
    return { name: 'Error', message: String(error), fields: {} };
  }
  const fields: Record<string, unknown> = {};
  for (const field of ERROR_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (typeof value === 'string' || typeof value === 'number') {
      fields[field] = value;
    }
  }
  return { name: error.name, message: error.message, fields };
}

export function deserializeError(serialized: SerializedError): Error {
  const error = new Error(serialized.message);
  error.name = serialized.name;
  return Object.assign(error, serialized.fields);
}
