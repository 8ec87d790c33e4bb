import { randomUUID } from 'node:crypto';
import type { DomainEvent, EventMetadata, PackageEvent, Recorded } from '@quiver/shared-contracts-packages';
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
  type: string;
  schema_version: number;
  data: object;
  metadata: EventMetadata;
  recorded_at: Date;
}

export const EVENT_COLUMNS = 'position::text AS position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at';

export function toRecordedEvent<E extends DomainEvent = PackageEvent>(row: EventRow): Recorded<E> {
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
  } as unknown as Recorded<E>;
}

export interface AppendResult<E extends DomainEvent = PackageEvent> {
  readonly events: readonly Recorded<E>[];
  readonly lastPosition: string;
}

/**
 * One stream per aggregate (a project, a principal), optimistic concurrency on the stream version.
 * `E` is the family of events the owning service writes.
 */
export class EventStore<E extends DomainEvent = PackageEvent> {
  constructor(private readonly db: Database) {}

  async readStream(streamId: string): Promise<{ readonly events: readonly Recorded<E>[]; readonly version: number }> {
    const { rows } = await this.db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version`, [streamId]);
    const events = rows.map((row) => toRecordedEvent<E>(row));
    return { events, version: events.at(-1)?.streamVersion ?? 0 };
  }

  /** Every event in the order the relay publishes them (transaction, then position), page by page. */
  async *readAll(pageSize = 1000): AsyncIterable<Recorded<E>> {
    let after: { tx: string; position: string } = { tx: '0', position: '0' };
    for (;;) {
      const { rows } = await this.db.query<EventRow & { tx: string }>(
        `SELECT ${EVENT_COLUMNS}, events.transaction_id::text AS tx FROM events
          WHERE (events.transaction_id, events.position) > ($1::xid8, $2::bigint)
          ORDER BY events.transaction_id, events.position LIMIT $3`,
        [after.tx, after.position, pageSize],
      );
      yield* rows.map((row) => toRecordedEvent<E>(row));
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
    events: readonly E[],
    metadata: EventMetadata,
    alsoWrite?: (tx: SqlExecutor, recorded: readonly Recorded<E>[]) => Promise<void>,
  ): Promise<AppendResult<E>> {
    try {
      return await this.db.transaction(async (tx) => {
        const recorded: Recorded<E>[] = [];
        for (const [index, event] of events.entries()) {
          const { rows } = await tx.query<EventRow>(
            `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, data, metadata)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${EVENT_COLUMNS}`,
            [randomUUID(), streamId, expectedVersion + index + 1, event.type, event.schemaVersion, JSON.stringify(event.data), JSON.stringify(metadata)],
          );
          const row = rows[0];
          if (row) {
            recorded.push(toRecordedEvent<E>(row));
          }
        }
        await alsoWrite?.(tx, recorded);
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
