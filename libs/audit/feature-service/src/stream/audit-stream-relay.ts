import type { Database, EventBus, OutgoingMessage, SqlExecutor } from '@quiver/shared-ports';
import { AUDIT_STREAM_KEY, AUDIT_STREAM_TOPIC, CLOUDEVENTS_JSON_CONTENT_TYPE, toAuditCloudEvent, type AuditLogRow } from './audit-cloud-event.js';

export interface AuditStreamRelayOptions {
  /** Default `quiver.audit.v1` (tests use their own). */
  readonly topic?: string;
  /** Entries per publish (one bus call, one mark update). Default 500. */
  readonly batchSize?: number;
  /** How often a started relay looks for new entries. Default 1000 ms. */
  readonly intervalMs?: number;
  /** Told about failed runs (retried on the next interval) and entries pruned before they were published. */
  readonly warn: (message: string) => void;
}

// Selected as text (bigint), so ORDER BY must name the column, audit_log.seq, not this alias (text order: 1, 10, 2).
const ENTRY_COLUMNS = `seq::text AS seq, fact_id, to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS time,
  service, action, outcome, actor, token_id, client_address, user_agent, project, version, filename, status, reason, details,
  prev_hash, hash`;

/**
 * Publishes every audit_log entry, in `seq` order, to the public stream as a CloudEvent, and
 * records the last one published in `audit_stream_mark` after the bus acknowledged it:
 * at-least-once (a crash between the two re-publishes; consumers dedupe by the event id).
 *
 * Each batch runs in one transaction that holds the mark's row lock (FOR UPDATE SKIP LOCKED): a
 * second replica finds it locked and skips its turn instead of publishing the same range.
 *
 * No gaps: the log's writer assigns `seq` under the chain head's row lock, so entries commit in
 * `seq` order; the relay still publishes only a contiguous run after the mark, and waits at a hole
 * (it may only jump when retention pruned the entries after the mark before they were published).
 */
export class AuditStreamRelay {
  private readonly topic: string;
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private topicReady = false;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly options: AuditStreamRelayOptions,
  ) {
    this.topic = options.topic ?? AUDIT_STREAM_TOPIC;
    this.batchSize = options.batchSize ?? 500;
  }

  /** Publishes now and then every `intervalMs`, one run at a time. */
  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.kick(), this.options.intervalMs ?? 1000);
    this.timer.unref();
    void this.kick();
  }

  /** Asks for a run soon (e.g. right after an append); resolves when a run started after this call has finished. */
  kick(): Promise<void> {
    if (this.stopped) {
      return Promise.resolve();
    }
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.publishPending();
        } catch (error) {
          this.options.warn(`audit stream relay will retry: ${error instanceof Error ? error.message : String(error)}`);
        }
      } while (this.again && !this.stopped);
      this.running = undefined;
    })();
    return this.running;
  }

  /** Stops the interval; a run in progress finishes its batch (and moves the mark) first. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * Publishes what is pending, batch by batch; resolves with how many entries went out. Resolves 0
   * at once when another replica holds the mark.
   */
  async publishPending(): Promise<number> {
    if (!this.topicReady) {
      await this.bus.ensureTopics([{ name: this.topic, partitions: 1 }]);
      this.topicReady = true;
    }
    let total = 0;
    for (;;) {
      const published = await this.db.transaction((tx) => this.publishBatch(tx));
      if (published === 0 || this.stopped) {
        return total + published;
      }
      total += published;
    }
  }

  private async publishBatch(tx: SqlExecutor): Promise<number> {
    const { rows: marks } = await tx.query<{ seq: string }>('SELECT seq::text AS seq FROM audit_stream_mark WHERE id = 1 FOR UPDATE SKIP LOCKED');
    const mark = marks[0];
    if (mark === undefined) {
      return 0; // another replica is publishing
    }
    const rows = await this.contiguousAfter(tx, BigInt(mark.seq));
    const last = rows.at(-1);
    if (last === undefined) {
      return 0;
    }
    await this.bus.publish(this.topic, rows.map(toMessage));
    await tx.query('UPDATE audit_stream_mark SET seq = $1, published_at = now() WHERE id = 1', [last.seq]);
    return rows.length;
  }

  private async contiguousAfter(tx: SqlExecutor, mark: bigint): Promise<AuditLogRow[]> {
    const { rows } = await tx.query<AuditLogRow>(`SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE audit_log.seq > $1 ORDER BY audit_log.seq LIMIT $2`, [mark.toString(), this.batchSize]);
    const first = rows[0];
    if (first === undefined) {
      return [];
    }
    let expected = mark + 1n;
    if (BigInt(first.seq) !== expected) {
      const { rows: earlier } = await tx.query('SELECT 1 FROM audit_log WHERE seq <= $1 LIMIT 1', [mark.toString()]);
      if (earlier.length > 0) {
        return []; // a hole after entries that are still there: wait for it to be filled
      }
      this.options.warn(`audit stream: entries ${expected}..${BigInt(first.seq) - 1n} were pruned before they were published`);
      expected = BigInt(first.seq);
    }
    const run: AuditLogRow[] = [];
    for (const row of rows) {
      if (BigInt(row.seq) !== expected) {
        break;
      }
      run.push(row);
      expected += 1n;
    }
    return run;
  }
}

function toMessage(row: AuditLogRow): OutgoingMessage {
  return { key: AUDIT_STREAM_KEY, value: JSON.stringify(toAuditCloudEvent(row)), headers: { 'content-type': CLOUDEVENTS_JSON_CONTENT_TYPE } };
}
