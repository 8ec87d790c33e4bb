import type { Migration } from '@quiver/shared-ports';
import { eventStoreMigrations } from '@quiver/shared-data-access-event-store';

/** The upload service's schema: its event store, the filename registry (filenames are never reused), the new-project rate limit, and the indexes the orphan GC looks blobs up by. */
export const uploadMigrations: readonly Migration[] = [
  ...eventStoreMigrations,
  {
    id: '0100_file_registry',
    sql: `CREATE TABLE file_registry (
            filename text PRIMARY KEY,
            project text NOT NULL,
            sha256 text NOT NULL,
            blake2_256 text NOT NULL,
            registered_at timestamptz NOT NULL DEFAULT now()
          )`,
  },
  {
    id: '0101_new_project_reservations',
    sql: `CREATE TABLE new_project_reservations (
            id uuid PRIMARY KEY,
            principal text NOT NULL,
            project text NOT NULL,
            reserved_at timestamptz NOT NULL DEFAULT clock_timestamp()
          );
          CREATE INDEX new_project_reservations_principal ON new_project_reservations (principal, reserved_at)`,
  },
  {
    // The orphan GC asks, per listed object, whether any recorded file names it.
    id: '0102_blob_key_indexes',
    sql: `CREATE INDEX events_file_blob_key ON events ((data->>'blobKey')) WHERE type = 'ReleaseFilePublished';
          CREATE INDEX events_metadata_blob_key ON events ((data->'coreMetadata'->>'blobKey')) WHERE type = 'ReleaseFilePublished'`,
  },
  {
    // A new project's name is compared with every existing one's confusable key (upload-domain's confusableKey).
    id: '0103_file_registry_confusable_key',
    sql: `CREATE INDEX file_registry_confusable_key ON file_registry ((translate(project, 'lio-_.', '110')))`,
  },
];
