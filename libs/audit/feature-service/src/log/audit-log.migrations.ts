import type { Migration } from '@quiver/shared-ports';

/**
 * The audit service's own database: the append-only, hash-chained log of access facts.
 *
 * - `audit_log`: one row per fact (`fact_id` unique), numbered gap-free by `seq` in the order the
 *   writer appended them. `hash` = sha256 hex of `prev_hash` and the entry's canonical form (see
 *   `entryHash`); the first entry's `prev_hash` is 64 zeros, or a checkpoint's hash after pruning.
 * - `audit_chain_head`: one row, the last `seq` and `hash`; writers lock it (FOR UPDATE) so replicas
 *   append one after another.
 * - `audit_checkpoints`: every Nth entry's `seq` and `hash`, so a pruned log still verifies from the
 *   checkpoint it starts after.
 */
export const auditLogMigrations: readonly Migration[] = [
  {
    id: 'audit_0001_log',
    sql: `
      CREATE TABLE audit_log (
        seq bigint PRIMARY KEY,
        fact_id text NOT NULL UNIQUE,
        time timestamptz NOT NULL,
        logged_at timestamptz NOT NULL DEFAULT now(),
        service text NOT NULL,
        action text NOT NULL,
        outcome text NOT NULL,
        actor text NOT NULL,
        token_id text,
        client_address text,
        user_agent text,
        project text,
        version text,
        filename text,
        status integer,
        reason text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash text NOT NULL,
        hash text NOT NULL
      );
      CREATE INDEX audit_log_time ON audit_log (time);
      CREATE INDEX audit_log_actor ON audit_log (actor, seq);
      CREATE INDEX audit_log_token ON audit_log (token_id, seq) WHERE token_id IS NOT NULL;
      CREATE INDEX audit_log_project ON audit_log (project, seq) WHERE project IS NOT NULL;
      CREATE INDEX audit_log_action ON audit_log (action, seq);
      CREATE TABLE audit_chain_head (
        id smallint PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL,
        hash text NOT NULL
      );
      INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));
      CREATE TABLE audit_checkpoints (
        seq bigint PRIMARY KEY,
        hash text NOT NULL,
        made_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
];
