import { ACCESS_FACTS_TOPIC, decodeAccessFacts, type AccessRecorded } from '@quiver/shared-contracts-identity';
import type { Database, EventBus, SqlExecutor, Subscription } from '@quiver/shared-ports';
import { entryFieldsOf, entryHash, type EntryFields } from './entry-hash.js';

/** An entry's place and hashes, beside its fields, as the writer inserts it. */
interface NewEntry extends EntryFields {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** Rows per INSERT statement. */
const ROWS_PER_STATEMENT = 1000;

/** Every this many entries the writer records a checkpoint (seq and hash) that pruning can start after. */
export const CHECKPOINT_INTERVAL = 1000;

export interface AppendResult {
  /** Entries appended (facts not logged before). */
  readonly appended: number;
  /** The chain head after the append. */
  readonly headSeq: number;
}

// One parameter for up to 1,000 rows: parsed by Postgres, the same on pg and PGlite.
const INSERT = `
  INSERT INTO audit_log (seq, fact_id, time, service, action, outcome, actor, token_id, client_address, user_agent, project, version, filename, status, reason, details, prev_hash, hash)
  SELECT e.seq, e.fact_id, e.time, e.service, e.action, e.outcome, e.actor, e.token_id, e.client_address, e.user_agent, e.project, e.version, e.filename, e.status, e.reason, coalesce(e.details, '{}'::jsonb), e.prev_hash, e.hash
  FROM jsonb_to_recordset($1::jsonb) AS e(seq bigint, fact_id text, time timestamptz, service text, action text, outcome text, actor text, token_id text, client_address text,
    user_agent text, project text, version text, filename text, status integer, reason text, details jsonb, prev_hash text, hash text)`;

const row = (entry: NewEntry): Record<string, unknown> => ({
  seq: entry.seq,
  fact_id: entry.factId,
  time: entry.time,
  service: entry.service,
  action: entry.action,
  outcome: entry.outcome,
  actor: entry.actor,
  token_id: entry.tokenId,
  client_address: entry.clientAddress,
  user_agent: entry.userAgent,
  project: entry.project,
  version: entry.version,
  filename: entry.filename,
  status: entry.status,
  reason: entry.reason,
  details: entry.details,
  prev_hash: entry.prevHash,
  hash: entry.hash,
});

/**
 * Appends facts to the hash-chained log, one transaction per batch: lock the chain head (replicas
 * append one after the other), drop facts already logged (exactly one entry per fact however often
 * Kafka delivers it), number and hash the rest, insert them, move the head, and record a checkpoint
 * at every multiple of `checkpointInterval`.
 */
export async function appendFacts(db: Database, facts: readonly AccessRecorded[], checkpointInterval = CHECKPOINT_INTERVAL): Promise<AppendResult> {
  const unique = [...new Map(facts.map((fact) => [fact.id, fact])).values()].map(entryFieldsOf);
  return db.transaction(async (tx) => {
    const head = (await tx.query<{ seq: unknown; hash: string }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE')).rows[0];
    if (!head) {
      throw new Error('audit_chain_head has no row: the audit log was not migrated');
    }
    let seq = Number(head.seq);
    if (unique.length === 0) {
      return { appended: 0, headSeq: seq };
    }
    const logged = await alreadyLogged(tx, unique.map((entry) => entry.factId));
    let prevHash = head.hash;
    const entries: NewEntry[] = [];
    for (const fields of unique) {
      if (logged.has(fields.factId)) {
        continue;
      }
      seq += 1;
      const hash = entryHash(prevHash, fields);
      entries.push({ ...fields, seq, prevHash, hash });
      prevHash = hash;
    }
    if (entries.length === 0) {
      return { appended: 0, headSeq: seq };
    }
    for (let start = 0; start < entries.length; start += ROWS_PER_STATEMENT) {
      await tx.query(INSERT, [JSON.stringify(entries.slice(start, start + ROWS_PER_STATEMENT).map(row))]);
    }
    await tx.query('UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1', [seq, prevHash]);
    const checkpoints = entries.filter((entry) => entry.seq % checkpointInterval === 0);
    if (checkpoints.length > 0) {
      await tx.query('INSERT INTO audit_checkpoints (seq, hash) SELECT c.seq, c.hash FROM jsonb_to_recordset($1::jsonb) AS c(seq bigint, hash text)', [
        JSON.stringify(checkpoints.map((entry) => ({ seq: entry.seq, hash: entry.hash }))),
      ]);
    }
    return { appended: entries.length, headSeq: seq };
  });
}

async function alreadyLogged(tx: SqlExecutor, factIds: readonly string[]): Promise<Set<string>> {
  const { rows } = await tx.query<{ fact_id: string }>('SELECT fact_id FROM audit_log WHERE fact_id IN (SELECT jsonb_array_elements_text($1::jsonb))', [JSON.stringify(factIds)]);
  return new Set(rows.map((found) => found.fact_id));
}

/**
 * Consumes `quiver.access.v1` from the beginning (consumer group `quiver-audit-log`) and appends
 * each message's `AccessRecorded` facts in one transaction (`TokensUsed` facts are the auth
 * service's). The offset is committed only after the commit, so a crash re-delivers, and the
 * de-duplication makes that harmless. A message that does not decode is dead-lettered by the bus.
 */
export class AuditWriter {
  private subscription: Subscription | undefined;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly group = 'quiver-audit-log',
    /** Called after each committed batch, before the bus commits its offset (a test's crash seam). */
    private readonly afterAppend?: () => void,
  ) {}

  async start(): Promise<void> {
    await this.bus.ensureTopics([{ name: ACCESS_FACTS_TOPIC, partitions: 3 }]);
    this.subscription = await this.bus.subscribe({
      group: this.group,
      topics: [ACCESS_FACTS_TOPIC],
      fromBeginning: true,
      handle: async (message) => {
        const recorded = decodeAccessFacts(message.value).filter((fact): fact is AccessRecorded => fact.type === 'AccessRecorded');
        if (recorded.length > 0) {
          await appendFacts(this.db, recorded);
          this.afterAppend?.();
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }
}
