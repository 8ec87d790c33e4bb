import { Logger } from '@nestjs/common';
import type { Database } from '@quiver/shared-ports';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface PruneResult {
  /** Entries deleted. */
  readonly deleted: number;
  /** The checkpoint the remaining log now verifies from, when anything was deleted. */
  readonly checkpoint?: number;
}

/**
 * Deletes entries older than the retention, but only whole stretches up to a checkpoint: the
 * newest checkpoint such that it and every entry before it are older than the cutoff. The log then
 * starts right after that checkpoint and still verifies from its hash. Entries are numbered in the
 * order they were appended, not by fact time, so one late-arriving old fact never lets a newer
 * entry go.
 */
export async function pruneLog(db: Database, cutoff: Date): Promise<PruneResult> {
  return db.transaction(async (tx) => {
    // The head's lock keeps a writer from appending a checkpoint under our feet; appends wait briefly.
    await tx.query('SELECT seq FROM audit_chain_head WHERE id = 1 FOR UPDATE');
    const young = (await tx.query<{ seq: unknown }>('SELECT min(seq) AS seq FROM audit_log WHERE time >= $1', [cutoff.toISOString()])).rows[0]?.seq;
    const limit = young === null || young === undefined ? Number.MAX_SAFE_INTEGER : Number(young) - 1;
    const checkpoint = (await tx.query<{ seq: unknown }>('SELECT max(seq) AS seq FROM audit_checkpoints WHERE seq <= $1', [limit])).rows[0]?.seq;
    if (checkpoint === null || checkpoint === undefined) {
      return { deleted: 0 };
    }
    const boundary = Number(checkpoint);
    const deleted = await tx.query('DELETE FROM audit_log WHERE seq <= $1', [boundary]);
    await tx.query('DELETE FROM audit_checkpoints WHERE seq < $1', [boundary]);
    return deleted.rowCount > 0 ? { deleted: deleted.rowCount, checkpoint: boundary } : { deleted: 0 };
  });
}

/** Runs `pruneLog` every hour (and once at start) with the cutoff `retentionDays` before the injected clock's now. */
export class AuditPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private readonly logger = new Logger('audit');

  constructor(
    private readonly db: Database,
    private readonly retentionDays: number,
    private readonly now: () => Date = () => new Date(),
    private readonly intervalMs = HOUR_MS,
  ) {}

  start(): void {
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** One pruning pass; failures are logged and retried at the next pass. */
  runOnce(): Promise<PruneResult | undefined> {
    const pass = this.running.then(async () => {
      try {
        const result = await pruneLog(this.db, new Date(this.now().getTime() - this.retentionDays * DAY_MS));
        if (result.deleted > 0) {
          this.logger.log(`pruned ${result.deleted} audit entries older than ${this.retentionDays} days (the log now starts after checkpoint ${result.checkpoint})`);
        }
        return result;
      } catch (error) {
        this.logger.warn(`audit pruning failed, retrying in an hour: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    });
    this.running = pass;
    return pass;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
