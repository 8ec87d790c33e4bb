import type { SqlExecutor } from '@quiver/shared-ports';
import type { FactDetail } from '@quiver/shared-contracts-identity';
import type { AuditEntry } from './entry-hash.js';

/** The columns of an entry, as the log's readers select them. */
export const ENTRY_COLUMNS =
  'seq, fact_id, time, service, action, outcome, actor, token_id, client_address, user_agent, project, version, filename, status, reason, details, prev_hash, hash';

export interface EntryRow {
  readonly seq: unknown;
  readonly fact_id: string;
  readonly time: Date | string;
  readonly service: string;
  readonly action: string;
  readonly outcome: string;
  readonly actor: string;
  readonly token_id: string | null;
  readonly client_address: string | null;
  readonly user_agent: string | null;
  readonly project: string | null;
  readonly version: string | null;
  readonly filename: string | null;
  readonly status: number | null;
  readonly reason: string | null;
  readonly details: Record<string, FactDetail> | string | null;
  readonly prev_hash: string;
  readonly hash: string;
}

/** A row of `audit_log` as an entry (camelCase; the time as UTC ISO with milliseconds). */
export const entryOf = (row: EntryRow): AuditEntry => ({
  seq: Number(row.seq),
  factId: row.fact_id,
  time: new Date(row.time).toISOString(),
  service: row.service,
  action: row.action,
  outcome: row.outcome,
  actor: row.actor,
  tokenId: row.token_id,
  clientAddress: row.client_address,
  userAgent: row.user_agent,
  project: row.project,
  version: row.version,
  filename: row.filename,
  status: row.status === null ? null : Number(row.status),
  reason: row.reason,
  details: typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, FactDetail>) : (row.details ?? {}),
  prevHash: row.prev_hash,
  hash: row.hash,
});

/** The chain head: the last appended seq and its hash. */
export async function chainHead(db: SqlExecutor): Promise<{ seq: number; hash: string }> {
  const head = (await db.query<{ seq: unknown; hash: string }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1')).rows[0];
  return head ? { seq: Number(head.seq), hash: head.hash } : { seq: 0, hash: '0'.repeat(64) };
}
