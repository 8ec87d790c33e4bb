import type { Migration } from '@quiver/shared-ports';
import { eventStoreMigrations } from '@quiver/shared-data-access-event-store';

/** The upload service's schema: its event store plus the filename registry (filenames are never reused). */
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
];
