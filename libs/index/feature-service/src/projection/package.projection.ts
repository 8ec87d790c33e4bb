import type { RecordedEvent } from '@quiver/shared-contracts-packages';
import type { SqlExecutor } from '@quiver/shared-ports';

/**
 * Applies one package event to the read model inside the caller's transaction. Exactly-once effect:
 * the event id is recorded in the same transaction, and an event seen before changes nothing.
 * Resolves false for a duplicate delivery.
 */
export async function projectPackageEvent(tx: SqlExecutor, event: RecordedEvent): Promise<boolean> {
  const fresh = await tx.query('INSERT INTO index_processed_events (event_id, position) VALUES ($1, $2) ON CONFLICT DO NOTHING', [event.eventId, event.position]);
  if (fresh.rowCount === 0) {
    return false;
  }
  const serial = event.position;
  switch (event.type) {
    case 'ProjectCreated':
      await tx.query(
        'INSERT INTO index_projects (name, display_name, last_serial) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
        [event.data.project, event.data.displayName, serial],
      );
      break;
    case 'ReleaseFilePublished': {
      const file = event.data;
      await tx.query(
        `INSERT INTO index_files (filename, project, version, packagetype, python_version, size, sha256, blake2_256, blob_key,
                                  requires_python, summary, core_metadata_sha256, core_metadata_size, core_metadata_key, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (filename) DO NOTHING`,
        [
          file.filename, file.project, file.version, file.packagetype, file.pythonVersion, file.size, file.sha256, file.blake2_256, file.blobKey,
          file.requiresPython, file.summary, file.coreMetadata?.sha256 ?? null, file.coreMetadata?.size ?? null, file.coreMetadata?.blobKey ?? null,
          file.uploadedAt,
        ],
      );
      break;
    }
    case 'ReleaseYanked':
      await tx.query(
        `INSERT INTO index_yanked_releases (project, version, reason) VALUES ($1, $2, $3)
         ON CONFLICT (project, version) DO UPDATE SET reason = EXCLUDED.reason`,
        [event.data.project, event.data.version, event.data.reason],
      );
      break;
    case 'ReleaseUnyanked':
      await tx.query('DELETE FROM index_yanked_releases WHERE project = $1 AND version = $2', [event.data.project, event.data.version]);
      break;
    case 'ReleaseFileDeleted':
      await tx.query('DELETE FROM index_files WHERE filename = $1', [event.data.filename]);
      break;
    case 'ProjectSettingsChanged':
      return true; // upload policy only: nothing the index serves changes, so neither does the serial
  }
  await tx.query('UPDATE index_projects SET last_serial = GREATEST(last_serial, $2) WHERE name = $1', [event.data.project, serial]);
  return true;
}
