import { encodeRecordedEvent, type DomainEvent, type Recorded } from '@quiver/shared-contracts-packages';
import type { Database, EventBus } from '@quiver/shared-ports';
import { EVENT_COLUMNS, toRecordedEvent } from './event-store.js';

export interface RelayOptions {
  readonly name: string;
  readonly topic: string;
  readonly batchSize?: number;
}

/**
 * Publishes committed events to the bus in commit-safe order, without gaps: an event is read only
 * once every transaction that could still commit an earlier one has finished
 * (`transaction_id < xmin` of the current snapshot). The checkpoint moves after the bus acknowledged
 * the batch, so a crash re-publishes (consumers dedupe by event id) and never skips.
 */
export class OutboxRelay {
  private readonly batchSize: number;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly options: RelayOptions,
  ) {
    this.batchSize = options.batchSize ?? 500;
  }

  /** Publishes what is ready; resolves with how many events went out. */
  async publishPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.readBatch();
      if (batch.length === 0) {
        return total;
      }
      await this.bus.publish(
        this.options.topic,
        batch.map(({ event }) => ({ key: event.streamId, value: encodeRecordedEvent(event), headers: { 'quiver-event-id': event.eventId, 'quiver-event-type': event.type } })),
      );
      const last = batch.at(-1);
      if (last) {
        await this.db.query(
          `INSERT INTO relay_checkpoints (relay, transaction_id, position) VALUES ($1, $2::xid8, $3)
           ON CONFLICT (relay) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position, updated_at = now()`,
          [this.options.name, last.transactionId, last.event.position],
        );
      }
      total += batch.length;
    }
  }

  private async readBatch(): Promise<{ readonly event: Recorded<DomainEvent>; readonly transactionId: string }[]> {
    const { rows } = await this.db.query<Parameters<typeof toRecordedEvent>[0] & { transaction_id: string }>(
      `WITH checkpoint AS (
         SELECT coalesce((SELECT transaction_id FROM relay_checkpoints WHERE relay = $1), '0'::xid8) AS tx,
                coalesce((SELECT position FROM relay_checkpoints WHERE relay = $1), 0) AS pos
       )
       SELECT ${EVENT_COLUMNS}, transaction_id::text AS transaction_id
         FROM events, checkpoint
        WHERE (events.transaction_id, events.position) > (checkpoint.tx, checkpoint.pos)
          AND events.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY events.transaction_id, events.position
        LIMIT $2`,
      [this.options.name, this.batchSize],
    );
    return rows.map((row) => ({ event: toRecordedEvent<DomainEvent>(row), transactionId: row.transaction_id }));
  }
}
