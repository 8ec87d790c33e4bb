import type { Migration } from '@quiver/shared-ports';

/** The index read model: disposable, rebuilt by replaying package events. */
export const indexMigrations: readonly Migration[] = [
  {
    id: '0001_index_read_model',
    sql: `
      CREATE TABLE index_projects (
        name text PRIMARY KEY,
        display_name text NOT NULL,
        last_serial bigint NOT NULL
      );
      CREATE TABLE index_files (
        filename text PRIMARY KEY,
        project text NOT NULL REFERENCES index_projects (name),
        version text NOT NULL,
        packagetype text NOT NULL,
        python_version text NOT NULL,
        size bigint NOT NULL,
        sha256 text NOT NULL,
        blake2_256 text NOT NULL,
        blob_key text NOT NULL,
        requires_python text,
        summary text,
        core_metadata_sha256 text,
        core_metadata_size bigint,
        core_metadata_key text,
        uploaded_at timestamptz NOT NULL
      );
      CREATE INDEX index_files_project ON index_files (project);
      CREATE TABLE index_yanked_releases (
        project text NOT NULL,
        version text NOT NULL,
        reason text NOT NULL,
        PRIMARY KEY (project, version)
      );
      CREATE TABLE index_processed_events (
        event_id uuid PRIMARY KEY,
        position bigint NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
];
