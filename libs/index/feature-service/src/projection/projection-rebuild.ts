import type { RecordedEvent } from '@quiver/shared-contracts-packages';
import type { Database } from '@quiver/shared-ports';
import { indexMigrations } from './index.migrations.js';
import { projectPackageEvent } from './package.projection.js';

/** The read model's tables and the key that orders each, for hashing (timestamps of processing excluded). */
const TABLES: readonly { readonly table: string; readonly columns: string; readonly order: string }[] = [
  { table: 'index_projects', columns: 'name, display_name, last_serial', order: 'name' },
  {
    table: 'index_files',
    columns:
      'filename, project, version, packagetype, python_version, size, sha256, blake2_256, blob_key, requires_python, summary, core_metadata_sha256, core_metadata_size, core_metadata_key, uploaded_at',
    order: 'filename',
  },
  { table: 'index_yanked_releases', columns: 'project, version, reason', order: 'project, version' },
  { table: 'index_processed_events', columns: 'event_id, position', order: 'event_id' },
];

/** A digest of the whole read model: equal digests mean equal rows. */
export async function projectionRowHash(db: Database): Promise<string> {
  const parts: string[] = [];
  for (const { table, columns, order } of TABLES) {
    const { rows } = await db.query<{ digest: string | null; n: string }>(
      `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY ${order}), '')) AS digest, count(*)::text AS n FROM (SELECT ${columns} FROM ${table}) t`,
    );
    parts.push(`${table}:${rows[0]?.n ?? '0'}:${rows[0]?.digest ?? ''}`);
  }
  return parts.join(';');
}

/**
 * Builds the read model from scratch into `target` (an empty schema or database) by replaying
 * `events` in order. Run it into a shadow schema and swap, so readers never see an empty index.
 */
export async function rebuildIndexProjection(target: Database, events: AsyncIterable<RecordedEvent> | Iterable<RecordedEvent>): Promise<number> {
  await target.migrate(indexMigrations);
  let applied = 0;
  for await (const event of events) {
    if (await target.transaction((tx) => projectPackageEvent(tx, event))) {
      applied += 1;
    }
  }
  return applied;
}
