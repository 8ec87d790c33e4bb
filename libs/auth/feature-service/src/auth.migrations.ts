import type { Migration } from '@quiver/shared-ports';

/** The auth service's own tables, beside its event store and access projection. */
export const authMigrations: readonly Migration[] = [
  {
    id: 'auth_0001_token_uses',
    sql: `
      -- Uses taken of tokens issued with a limit: one row per token, counted in place, so every
      -- service and replica that asks gets an exact count (UPDATE … WHERE used < allowed).
      CREATE TABLE auth_token_uses (
        token_id text PRIMARY KEY,
        used integer NOT NULL
      );`,
  },
  {
    id: 'auth_0002_sign_in_attempts',
    sql: `
      -- Password checks that failed (and ones in flight) in the last window, for the per-user,
      -- per-address and global limits every auth replica shares.
      CREATE TABLE auth_sign_in_attempts (
        id uuid PRIMARY KEY,
        username text NOT NULL,
        address text NOT NULL,
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX auth_sign_in_attempts_at ON auth_sign_in_attempts (at);`,
  },
];
