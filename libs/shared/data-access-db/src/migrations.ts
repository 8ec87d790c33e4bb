import type { Migration, SqlExecutor } from '@quiver/shared-ports';

/** Held for the duration of the migration transaction, so replicas starting together apply each migration once. */
const MIGRATION_LOCK_KEY = 7_265_411_902;

export function assertMigrationsOrdered(migrations: readonly Migration[]): void {
  const ids = migrations.map((migration) => migration.id);
  const unique = new Set(ids);
  if (unique.size !== ids.length) {
    throw new Error(`Migration ids must be unique: ${ids.join(', ')}`);
  }
}

/**
 * Applies the missing migrations inside the caller's transaction, in id order. Both adapters run
 * this same code, so a schema behaves the same on Postgres and PGlite.
 */
export async function applyMigrations(tx: SqlExecutor, migrations: readonly Migration[]): Promise<string[]> {
  assertMigrationsOrdered(migrations);
  await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
  await tx.query(
    `CREATE TABLE IF NOT EXISTS quiver_migrations (
       id text PRIMARY KEY,
       applied_at timestamptz NOT NULL DEFAULT now()
     )`,
  );
  const done = await tx.query<{ id: string }>('SELECT id FROM quiver_migrations');
  const applied = new Set(done.rows.map((row) => row.id));
  const pending = [...migrations].sort((a, b) => a.id.localeCompare(b.id)).filter((migration) => !applied.has(migration.id));
  for (const migration of pending) {
    await tx.exec(migration.sql);
    await tx.query('INSERT INTO quiver_migrations (id) VALUES ($1)', [migration.id]);
  }
  return pending.map((migration) => migration.id);
}

export const beginStatement = (isolation: string | undefined): string =>
  isolation ? `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}` : 'BEGIN';
