import { ACCESS_ACTIONS, ACCESS_OUTCOMES } from '@quiver/shared-contracts-identity';
import type { SqlExecutor } from '@quiver/shared-ports';
import { ENTRY_COLUMNS, entryOf, type EntryRow } from './audit-entries.js';
import type { AuditEntry } from './entry-hash.js';

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;

/** What `GET /api/audit` may filter on, checked. */
export interface AuditFilter {
  readonly actor?: string;
  readonly tokenId?: string;
  readonly project?: string;
  readonly action?: string;
  readonly outcome?: string;
  /** Entries whose fact time is at or after this. */
  readonly since?: Date;
  /** Entries whose fact time is before this. */
  readonly until?: Date;
  /** `asc` (oldest first, the default; page on with `after`) or `desc` (newest first; page on with `before`). */
  readonly order: 'asc' | 'desc';
  readonly after?: number;
  readonly before?: number;
  readonly limit: number;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export const QUERY_PARAMETERS = ['actor', 'token', 'project', 'action', 'outcome', 'since', 'until', 'after', 'before', 'limit', 'order'] as const;
type Parameter = (typeof QUERY_PARAMETERS)[number];

// An ISO 8601 date or date-time (`2026-12-01`, `2026-12-01T10:00:00Z`, `…+01:00`).
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const SEQ = /^[0-9]{1,15}$/;
const quoted = (value: string): string => `'${value.slice(0, 60)}'`;
const normalise = (project: string): string => project.toLowerCase().replace(/[-_.]+/g, '-');

/** Checks the query of `GET /api/audit` (each parameter given once, as a string): the filter, or what is wrong. Pure. */
export function parseAuditQuery(query: Readonly<Partial<Record<string, string>>>): Parsed<AuditFilter> {
  const unknown = Object.keys(query).filter((name) => !(QUERY_PARAMETERS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    return { ok: false, message: `Unknown query parameter ${quoted(unknown[0] ?? '')}: filter with ${QUERY_PARAMETERS.join(', ')}.` };
  }
  const get = (name: Parameter): string | undefined => query[name];
  const problems: string[] = [];
  const text = (name: Parameter): string | undefined => {
    const value = get(name);
    if (value !== undefined && (value === '' || value.length > 200)) {
      problems.push(`${name} must be 1 to 200 characters.`);
      return undefined;
    }
    return value;
  };
  const time = (name: Parameter): Date | undefined => {
    const value = get(name);
    if (value === undefined) {
      return undefined;
    }
    const parsed = new Date(value);
    if (!ISO.test(value) || Number.isNaN(parsed.getTime())) {
      problems.push(`${name} must be an ISO 8601 time such as 2026-12-01T00:00:00Z, not ${quoted(value)}.`);
      return undefined;
    }
    return parsed;
  };
  const seq = (name: Parameter): number | undefined => {
    const value = get(name);
    if (value === undefined) {
      return undefined;
    }
    if (!SEQ.test(value)) {
      problems.push(`${name} must be an entry's seq (a whole number), not ${quoted(value)}.`);
      return undefined;
    }
    return Number(value);
  };
  const oneOf = (name: Parameter, allowed: readonly string[]): string | undefined => {
    const value = get(name);
    if (value !== undefined && !allowed.includes(value)) {
      problems.push(`${name} must be one of ${allowed.join(', ')}, not ${quoted(value)}.`);
      return undefined;
    }
    return value;
  };
  const actor = text('actor');
  const tokenId = text('token');
  const project = text('project');
  const action = oneOf('action', ACCESS_ACTIONS);
  const outcome = oneOf('outcome', ACCESS_OUTCOMES);
  const since = time('since');
  const until = time('until');
  const after = seq('after');
  const before = seq('before');
  const order = (oneOf('order', ['asc', 'desc']) ?? 'asc') as 'asc' | 'desc';
  let limit = DEFAULT_LIMIT;
  const rawLimit = get('limit');
  if (rawLimit !== undefined) {
    if (!/^[0-9]{1,4}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_LIMIT) {
      problems.push(`limit must be a whole number from 1 to ${MAX_LIMIT}, not ${quoted(rawLimit)}.`);
    } else {
      limit = Number(rawLimit);
    }
  }
  if (since && until && since.getTime() >= until.getTime()) {
    problems.push('since must be before until.');
  }
  if (after !== undefined && order === 'desc') {
    problems.push('after pages oldest-first: use before with order=desc.');
  }
  if (before !== undefined && order === 'asc') {
    problems.push('before pages newest-first: use it with order=desc.');
  }
  if (problems.length > 0) {
    return { ok: false, message: `Bad filter: ${problems.join(' ')}` };
  }
  return {
    ok: true,
    value: {
      ...(actor === undefined ? {} : { actor }),
      ...(tokenId === undefined ? {} : { tokenId }),
      ...(project === undefined ? {} : { project: normalise(project) }),
      ...(action === undefined ? {} : { action }),
      ...(outcome === undefined ? {} : { outcome }),
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
      ...(after === undefined ? {} : { after }),
      ...(before === undefined ? {} : { before }),
      order,
      limit,
    },
  };
}

export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  /** The cursor for the next page (`after`, or `before` with order=desc), or null on the last page. */
  readonly next: string | null;
}

/** One page of entries matching `filter`, in seq order. */
export async function queryLog(db: SqlExecutor, filter: AuditFilter): Promise<AuditPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.actor !== undefined) {
    add('actor = ?', filter.actor);
  }
  if (filter.tokenId !== undefined) {
    add('token_id = ?', filter.tokenId);
  }
  if (filter.project !== undefined) {
    add('project = ?', filter.project);
  }
  if (filter.action !== undefined) {
    add('action = ?', filter.action);
  }
  if (filter.outcome !== undefined) {
    add('outcome = ?', filter.outcome);
  }
  if (filter.since !== undefined) {
    add('time >= ?', filter.since.toISOString());
  }
  if (filter.until !== undefined) {
    add('time < ?', filter.until.toISOString());
  }
  if (filter.after !== undefined) {
    add('seq > ?', filter.after);
  }
  if (filter.before !== undefined) {
    add('seq < ?', filter.before);
  }
  params.push(filter.limit);
  const sql = `SELECT ${ENTRY_COLUMNS} FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${filter.order === 'desc' ? 'DESC' : 'ASC'} LIMIT $${params.length}`;
  const { rows } = await db.query<EntryRow>(sql, params);
  const entries = rows.map(entryOf);
  const last = entries.at(-1);
  return { entries, next: entries.length === filter.limit && last ? String(last.seq) : null };
}
