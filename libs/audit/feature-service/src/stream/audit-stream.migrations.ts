import type { Migration } from '@quiver/shared-ports';

/**
 * The public stream's mark: one row, the `seq` of the last audit_log entry the relay published to
 * `quiver.audit.v1` (acknowledged by the bus). A relay run locks the row (FOR UPDATE SKIP LOCKED),
 * so of several audit replicas one publishes at a time and the others skip their turn.
 */
export const auditStreamMigrations: readonly Migration[] = [
  {
    id: 'audit_0002_stream_mark',
    sql: `
      CREATE TABLE audit_stream_mark (
        id smallint PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO audit_stream_mark (id, seq) VALUES (1, 0);`,
  },
];
