/**
 * Why an upload is refused. `code` is stable and machine-readable (problem details, audit reason);
 * `message` tells the user what to do and cites the specification they broke.
 */
export type UploadRejectionCode =
  | 'unknown-protocol-version'
  | 'invalid-metadata'
  | 'invalid-filetype'
  | 'invalid-digest'
  | 'digest-mismatch'
  | 'missing-file'
  | 'invalid-form'
  | 'form-too-large'
  | 'field-too-large'
  | 'invalid-content-type'
  | 'invalid-filename'
  | 'invalid-distribution'
  | 'file-too-large'
  | 'file-exists'
  | 'filename-reused'
  | 'second-sdist'
  | 'prohibited-name'
  | 'confusable-name'
  | 'new-projects-disallowed'
  | 'non-volatile'
  | 'invalid-classifier'
  | 'unsupported-platform'
  | 'project-too-large'
  | 'release-closed'
  | 'too-many-new-projects'
  | 'invalid-upload-time'
  | 'removed-api'
  | 'not-found'
  | 'forbidden';

export interface UploadRejection {
  readonly code: UploadRejectionCode;
  readonly message: string;
}

export const CORE_METADATA_HELP = 'See https://packaging.python.org/specifications/core-metadata for more information.';

export const reject = (code: UploadRejectionCode, message: string): UploadRejection => ({ code, message });
