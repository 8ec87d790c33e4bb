/**
 * An imported file (`quiver import`) carries no metadata form: the upload form is read from the
 * file's own core metadata, so an import passes every rule a twine upload of the same file would.
 * Pure.
 */
import type { PackageType } from './distribution-filename.js';
import { reject, type UploadRejection } from './upload-rejection.js';
import type { UploadFields } from './upload-form.js';
import { normalizeProjectName } from '@quiver/shared-domain-packaging';

/** What the import reads from the file's core metadata (METADATA or PKG-INFO). */
export interface ImportedMetadata {
  readonly metadataVersion: string;
  readonly name: string;
  readonly version: string;
  readonly summary?: string;
  readonly requiresPython?: string;
  readonly requiresDist: readonly string[];
  /** Every header field by lower-case name (classifiers, license, license-expression). */
  readonly fields: ReadonlyMap<string, readonly string[]>;
}

/** The file type an imported file's name implies (the legacy form's `filetype`). */
export const importedFiletype = (filename: string): PackageType => (filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist');

/** The digest fields an import may send; without any, the digest of the bytes received stands in. */
const DIGEST_FIELDS = ['sha256_digest', 'md5_digest', 'blake2_256_digest'] as const;

/**
 * The legacy upload form twine would send for the file: `pyversion` is the wheel's Python tag (or
 * `source`). From the import's own fields, only the digests (what the importer verified against its
 * source: they are checked against the bytes received) and `name` (the project the importer took
 * the file from, which must be the one the metadata names).
 */
export function importFields(
  metadata: ImportedMetadata,
  file: { readonly filetype: PackageType; readonly pythonTags: readonly string[]; readonly sha256: string },
  given: UploadFields,
): { readonly ok: true; readonly fields: UploadFields } | { readonly ok: false; readonly rejection: UploadRejection } {
  const nameHint = given.get('name')?.[0];
  if (nameHint !== undefined && normalizeProjectName(nameHint) !== normalizeProjectName(metadata.name)) {
    return { ok: false, rejection: reject('invalid-metadata', `The file's metadata names the project '${metadata.name.slice(0, 100)}', not '${nameHint.slice(0, 100)}'.`) };
  }
  const fields = new Map<string, readonly string[]>([
    [':action', ['file_upload']],
    ['protocol_version', ['1']],
    ['name', [metadata.name]],
    ['version', [metadata.version]],
    ['metadata_version', [metadata.metadataVersion]],
    ['filetype', [file.filetype]],
    ['pyversion', [file.filetype === 'sdist' ? 'source' : file.pythonTags.join('.')]],
    ['requires_dist', metadata.requiresDist],
  ]);
  for (const field of DIGEST_FIELDS) {
    const value = given.get(field)?.[0];
    if (value !== undefined && value !== '') {
      fields.set(field, [value]);
    }
  }
  if (!DIGEST_FIELDS.some((field) => fields.has(field))) {
    fields.set('sha256_digest', [file.sha256]);
  }
  const copy = (field: string, header: string): void => {
    const values = metadata.fields.get(header);
    if (values !== undefined && values.length > 0) {
      fields.set(field, values);
    }
  };
  copy('classifiers', 'classifier');
  copy('license', 'license');
  copy('license_expression', 'license-expression');
  if (metadata.summary !== undefined) {
    fields.set('summary', [metadata.summary]);
  }
  if (metadata.requiresPython !== undefined) {
    fields.set('requires_python', [metadata.requiresPython]);
  }
  return { ok: true, fields };
}

/** Upload times before this are not believed (the first Python package index opened in 2003). */
const EARLIEST = Date.parse('2000-01-01T00:00:00Z');
/** How far ahead of the server's clock an upload time may be (clocks differ a little). */
const CLOCK_SKEW_MS = 5 * 60_000;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * An import's `upload_time` field (PEP 700's `upload-time`: ISO 8601 with a zone): the time to
 * record, undefined for none given, or the rejection.
 */
export function parseUploadTime(text: string | undefined, now: Date): { readonly ok: true; readonly value?: Date } | { readonly ok: false; readonly rejection: UploadRejection } {
  if (text === undefined || text === '') {
    return { ok: true };
  }
  const millis = ISO_WITH_ZONE.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(millis) || millis < EARLIEST || millis > now.getTime() + CLOCK_SKEW_MS) {
    const shown = text.slice(0, 40).replace(/[^\w:.+-]/g, '?');
    return {
      ok: false,
      rejection: reject('invalid-upload-time', `'${shown}' is not a valid upload_time: give an ISO 8601 time with a zone (2024-05-01T12:00:00Z), after 2000 and not in the future.`),
    };
  }
  return { ok: true, value: new Date(millis) };
}
