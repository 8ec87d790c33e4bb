import { compareVersions, parseVersion, type Version } from '@quiver/shared-domain-packaging';
import type { IndexedFile, ProjectListEntry, ProjectPage } from '@quiver/index-domain';
import type { Database } from '@quiver/shared-ports';

interface FileRow {
  filename: string;
  version: string;
  sha256: string;
  size: string;
  requires_python: string | null;
  core_metadata_sha256: string | null;
  uploaded_at: Date;
  yank_reason: string | null;
}

/** A listed file with the release it belongs to (the simple API does not show it; the JSON API does). */
export type VersionedFile = IndexedFile & { readonly version: string };
export type VersionedPage = Omit<ProjectPage, 'files'> & { readonly files: readonly VersionedFile[] };

export interface StoredFile {
  readonly filename: string;
  readonly sha256: string;
  readonly size: number;
  readonly blobKey: string;
  readonly coreMetadata?: { readonly sha256: string; readonly size: number; readonly blobKey: string };
}

export const fileUrl = (sha256: string, filename: string): string => `/files/${sha256}/${encodeURIComponent(filename)}`;

/** Queries over the index read model. */
export class ProjectReadModel {
  constructor(private readonly db: Database) {}

  async listProjects(): Promise<ProjectListEntry[]> {
    const { rows } = await this.db.query<{ name: string; last_serial: string }>('SELECT name, last_serial::text AS last_serial FROM index_projects ORDER BY name');
    return rows.map((row) => ({ name: row.name, lastSerial: Number(row.last_serial) }));
  }

  /** Last serials (bumped by every event) of several projects in one query; unknown projects are absent. */
  async projectSerials(names: readonly string[]): Promise<Map<string, number>> {
    const { rows } = await this.db.query<{ name: string; last_serial: string }>(
      'SELECT name, last_serial::text AS last_serial FROM index_projects WHERE name = ANY($1::text[])',
      [names],
    );
    return new Map(rows.map((row) => [row.name, Number(row.last_serial)]));
  }

  async projectPage(name: string): Promise<VersionedPage | undefined> {
    const project = await this.db.query<{ last_serial: string }>('SELECT last_serial::text AS last_serial FROM index_projects WHERE name = $1', [name]);
    const serial = project.rows[0]?.last_serial;
    if (serial === undefined) {
      return undefined;
    }
    const { rows } = await this.db.query<FileRow>(
      `SELECT f.filename, f.version, f.sha256, f.size::text AS size, f.requires_python, f.core_metadata_sha256, f.uploaded_at, y.reason AS yank_reason
         FROM index_files f LEFT JOIN index_yanked_releases y ON y.project = f.project AND y.version = f.version
        WHERE f.project = $1`,
      [name],
    );
    const byVersion = (a: string, b: string): number => compareVersions(parseVersion(a) as Version, parseVersion(b) as Version);
    const versions = [...new Set(rows.map((row) => row.version))].sort(byVersion);
    const files: VersionedFile[] = rows
      .sort((a, b) => byVersion(a.version, b.version) || (a.filename < b.filename ? -1 : 1))
      .map((row) => ({
        filename: row.filename,
        version: row.version,
        url: fileUrl(row.sha256, row.filename),
        sha256: row.sha256,
        size: Number(row.size),
        uploadTime: row.uploaded_at,
        yanked: row.yank_reason === null ? false : { reason: row.yank_reason },
        ...(row.requires_python ? { requiresPython: row.requires_python } : {}),
        ...(row.core_metadata_sha256 ? { coreMetadataSha256: row.core_metadata_sha256 } : {}),
      }));
    return { name, lastSerial: Number(serial), versions, files };
  }

  /** The file with the project it belongs to and that project's serial, read in one statement (one snapshot). */
  async storedFile(sha256: string, filename: string): Promise<{ readonly file: StoredFile; readonly project: string; readonly serial: number } | undefined> {
    const { rows } = await this.db.query<{
      filename: string;
      sha256: string;
      size: string;
      blob_key: string;
      core_metadata_sha256: string | null;
      core_metadata_size: string | null;
      core_metadata_key: string | null;
      project: string;
      last_serial: string;
    }>(
      `SELECT f.filename, f.sha256, f.size::text AS size, f.blob_key, f.core_metadata_sha256, f.core_metadata_size::text AS core_metadata_size,
              f.core_metadata_key, f.project, p.last_serial::text AS last_serial
         FROM index_files f JOIN index_projects p ON p.name = f.project
        WHERE f.sha256 = $1 AND f.filename = $2`,
      [sha256, filename],
    );
    const row = rows[0];
    if (!row) {
      return undefined;
    }
    const file: StoredFile = {
      filename: row.filename,
      sha256: row.sha256,
      size: Number(row.size),
      blobKey: row.blob_key,
      ...(row.core_metadata_sha256 && row.core_metadata_key
        ? { coreMetadata: { sha256: row.core_metadata_sha256, size: Number(row.core_metadata_size), blobKey: row.core_metadata_key } }
        : {}),
    };
    return { file, project: row.project, serial: Number(row.last_serial) };
  }
}
