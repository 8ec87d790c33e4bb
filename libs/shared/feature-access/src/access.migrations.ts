import type { Migration } from '@quiver/shared-ports';

/**
 * The access projection each service keeps from identity events (ARCHITECTURE §2, §5): live and
 * revoked tokens (by sha256 only), grants, and the events applied (exactly-once effect). The auth
 * service writes it in the same transaction as its events; upload and index from the bus.
 */
export const accessMigrations: readonly Migration[] = [
  {
    id: 'access_0001_tokens_grants',
    sql: `
      CREATE TABLE access_tokens (
        token_id text PRIMARY KEY,
        principal text NOT NULL,
        sha256 text NOT NULL UNIQUE,
        description text NOT NULL,
        issued_at timestamptz NOT NULL,
        revoked_at timestamptz
      );
      CREATE INDEX access_tokens_principal ON access_tokens (principal);
      CREATE TABLE access_grants (
        principal text NOT NULL,
        role text NOT NULL,
        pattern text NOT NULL,
        granted_at timestamptz NOT NULL,
        PRIMARY KEY (principal, role, pattern)
      );
      CREATE TABLE access_processed_events (
        event_id uuid PRIMARY KEY,
        position bigint NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now()
      );
      -- Bumped by every applied event: replicas that share the projection compare it to know their
      -- cached verifications are stale.
      CREATE TABLE access_version (
        id smallint PRIMARY KEY CHECK (id = 1),
        version bigint NOT NULL
      );
      INSERT INTO access_version (id, version) VALUES (1, 0);`,
  },
  {
    id: 'access_0002_token_kinds_and_restrictions',
    sql: `
      ALTER TABLE access_tokens
        ADD COLUMN kind text NOT NULL DEFAULT 'personal',
        ADD COLUMN expires_at timestamptz,
        ADD COLUMN packages text[],
        ADD COLUMN permissions text[],
        ADD COLUMN uses_allowed integer,
        ADD COLUMN cidrs text[],
        ADD COLUMN reason text,
        -- A rotated-out secret, valid until previous_valid_until.
        ADD COLUMN previous_sha256 text UNIQUE,
        ADD COLUMN previous_valid_until timestamptz,
        -- Kept by the auth service from token-use facts; the other services leave them empty.
        ADD COLUMN last_used_at timestamptz,
        ADD COLUMN last_used_from text;
      -- Tokens issued before kinds and lifetimes: personal, 90 days from their issue (the first event shape's upcast).
      UPDATE access_tokens SET expires_at = issued_at + interval '90 days';
      ALTER TABLE access_tokens ALTER COLUMN expires_at SET NOT NULL;`,
  },
  {
    id: 'access_0003_directory_users',
    sql: `
      -- Principals that are directory (LDAP) users: their groups when last read, and whether the
      -- directory still has them. A principal with no row here is local (a service account).
      CREATE TABLE access_directory_users (
        principal text PRIMARY KEY,
        directory_id text NOT NULL UNIQUE,
        username text NOT NULL,
        groups text[] NOT NULL DEFAULT '{}',
        -- When the directory last told these groups (a sign-in or a re-read that changed them).
        observed_at timestamptz,
        left_at timestamptz
      );
      -- When every directory user's groups were last read: what they say is trusted for a grace after it.
      CREATE TABLE access_directory (
        id smallint PRIMARY KEY CHECK (id = 1),
        checked_at timestamptz
      );
      INSERT INTO access_directory (id, checked_at) VALUES (1, NULL);`,
  },
];
