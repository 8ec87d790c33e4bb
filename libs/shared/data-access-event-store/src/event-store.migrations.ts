import type { Migration } from '@quiver/shared-ports';

/**
 * The write side's append-only log. `transaction_id` lets the relay publish without gaps: a row
 * is only read once no transaction that could still commit an earlier row is running.
 */
export const eventStoreMigrations: readonly Migration[] = [
  {
    id: '0001_event_store',
    sql: `
      CREATE TABLE events (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id uuid NOT NULL UNIQUE,
        stream_id text NOT NULL,
        stream_version integer NOT NULL,
        type text NOT NULL,
        schema_version integer NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (stream_id, stream_version)
      );
      CREATE INDEX events_relay_order ON events (transaction_id, position);
      CREATE TABLE relay_checkpoints (
        relay text PRIMARY KEY,
        transaction_id xid8 NOT NULL,
        position bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
];
