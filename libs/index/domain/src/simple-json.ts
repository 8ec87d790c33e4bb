/**
 * PEP 691 JSON rendering (api-version 1.1: PEP 700 `versions`/`size`/`upload-time`, PEP 592 yanks,
 * PEP 658/714 core metadata). Objects are built in a fixed key order so output is byte-stable.
 */
import type { IndexedFile, ProjectListEntry, ProjectPage } from './project-page.model.js';
import { SIMPLE_API_VERSION, withoutFragment } from './simple-html.js';

/** PEP 700 `upload-time`: UTC `yyyy-mm-ddThh:mm:ss.ffffffZ` (microseconds; a `Date` has milliseconds). */
export function formatUploadTime(time: Date): string {
  // toISOString() throws RangeError for an invalid Date: a programming error upstream.
  return time.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function fileJson(file: IndexedFile): Record<string, unknown> {
  const coreMetadata = file.coreMetadataSha256 === undefined ? false : { sha256: file.coreMetadataSha256.toLowerCase() };
  return {
    filename: file.filename,
    url: withoutFragment(file.url),
    hashes: { sha256: file.sha256.toLowerCase() },
    ...(file.requiresPython === undefined ? {} : { 'requires-python': file.requiresPython }),
    size: file.size,
    'upload-time': formatUploadTime(file.uploadTime),
    yanked: file.yanked === false ? false : file.yanked.reason === '' ? true : file.yanked.reason,
    'core-metadata': coreMetadata,
    // PEP 714: keep the old key for clients that predate the rename.
    'data-dist-info-metadata': coreMetadata,
  };
}

function meta(lastSerial: number): Record<string, unknown> {
  return { 'api-version': SIMPLE_API_VERSION, '_last-serial': lastSerial };
}

/** Renders `/simple/<name>/` as `application/vnd.pypi.simple.v1+json`. */
export function renderProjectJson(page: ProjectPage): string {
  return JSON.stringify({
    meta: meta(page.lastSerial),
    name: page.name,
    versions: [...page.versions],
    files: page.files.map(fileJson),
  });
}

/**
 * Renders the `/simple/` root as JSON. `lastSerial` defaults to the highest project serial (0 when empty);
 * pass the repository-wide serial when the caller has it.
 */
export function renderIndexJson(
  projects: readonly ProjectListEntry[],
  lastSerial = projects.reduce((max, project) => Math.max(max, project.lastSerial), 0),
): string {
  return JSON.stringify({
    meta: meta(lastSerial),
    projects: projects.map((project) => ({ name: project.name, '_last-serial': project.lastSerial })),
  });
}
