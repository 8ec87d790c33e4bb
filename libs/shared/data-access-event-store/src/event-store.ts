import { randomUUID } from 'node:crypto';
import type { EventMetadata, PackageEvent, RecordedEvent } from '@quiver/shared-contracts-packages';
import type { Database, SqlExecutor } from '@quiver/shared-ports';

/** Another writer appended to the stream first; reload and decide again. */
export class StreamConcurrencyError extends Error {
  override readonly name = 'StreamConcurrencyError';
  constructor(readonly streamId: string, readonly expectedVersion: number) {
    super(`Stream '${streamId}' moved past version ${expectedVersion} while this change was being decided.`);
  }
}

interface EventRow {
  position: string;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: PackageEvent['type'];
  schema_version: 1;
  data: PackageEvent['data'];
  metadata: EventMetadata;
  recorded_at: Date;
}

export const EVENT_COLUMNS = 'position::text AS position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at';

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    eventId: row.event_id,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    position: row.position,
    recordedAt: row.recorded_at.toISOString(),
    metadata: row.metadata,
  } as RecordedEvent;
}

export interface AppendResult {
  readonly events: readonly RecordedEvent[];
  readonly lastPosition: string;
}

/** One stream per aggregate (a project), optimistic concurrency on the stream version. */
export class EventStore {
  constructor(private readonly db: Database) {}

  async readStream(streamId: string): Promise<{ readonly events: readonly RecordedEvent[]; readonly version: number }> {
    const { rows } = await this.db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version`, [streamId]);
    const events = rows.map(toRecordedEvent);
    return { events, version: events.at(-1)?.streamVersion ?? 0 };
  }

  /** Every event in the order the relay publishes them (transaction, then position), page by page. */
  async *readAll(pageSize = 1000): AsyncIterable<RecordedEvent> {
    let after: { tx: string; position: string } = { tx: '0', position: '0' };
    for (;;) {
      const { rows } = await this.db.query<EventRow & { tx: string }>(
        `SELECT ${EVENT_COLUMNS}, events.transaction_id::text AS tx FROM events
          WHERE (events.transaction_id, events.position) > ($1::xid8, $2::bigint)
          ORDER BY events.transaction_id, events.position LIMIT $3`,
        [after.tx, after.position, pageSize],
      );
      yield* rows.map(toRecordedEvent);
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) {
        return;
      }
      after = { tx: last.tx, position: last.position };
    }
  }

  /**
   * Appends `events` after `expectedVersion` in one transaction, together with whatever `alsoWrite`
   * writes (for example the filename registry row). Nothing is written when any part fails.
   */
  async append(
    streamId: string,
    expectedVersion: number,
    events: readonly PackageEvent[],
    metadata: EventMetadata,
    alsoWrite?: (tx: SqlExecutor) => Promise<void>,
  ): Promise<AppendResult> {
    try {
      return await this.db.transaction(async (tx) => {
        const recorded: RecordedEvent[] = [];
        for (const [index, event] of events.entries()) {
          const { rows } = await tx.query<EventRow>(
            `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, data, metadata)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${EVENT_COLUMNS}`,
            [randomUUID(), streamId, expectedVersion + index + 1, event.type, event.schemaVersion, JSON.stringify(event.data), JSON.stringify(metadata)],
          );
          const row = rows[0];
          if (row) {
            recorded.push(toRecordedEvent(row));
          }
        }
        await alsoWrite?.(tx);
        return { events: recorded, lastPosition: recorded.at(-1)?.position ?? '0' };
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === '23505' && /stream_id/.test((error as { constraint?: string; message: string }).constraint ?? (error as Error).message)) {
        throw new StreamConcurrencyError(streamId, expectedVersion);
      }
      throw error;
    }
  }
}
