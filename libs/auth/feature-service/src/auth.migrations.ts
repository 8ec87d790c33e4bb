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
];
