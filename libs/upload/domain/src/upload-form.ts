/**
 * The legacy upload API's form fields (what twine, uv and poetry send), validated before any byte
 * of the file is stored. Pure: takes the fields, returns a typed request or the first rejection.
 */
import { classifierProblem } from './classifiers.js';
import { type PackageType } from './distribution-filename.js';
import { CORE_METADATA_HELP, reject, type UploadRejection } from './upload-rejection.js';
import { isValidProjectName, parseVersion, type Version } from '@quiver/shared-domain-packaging';

/** Multipart text fields; repeated fields (classifiers, requires_dist, …) keep every value. */
export type UploadFields = ReadonlyMap<string, readonly string[]>;

export interface Digests {
  readonly sha256?: string;
  readonly blake2_256?: string;
  readonly md5?: string;
}

export interface UploadForm {
  readonly name: string;
  readonly version: Version;
  readonly versionText: string;
  readonly metadataVersion: string;
  readonly filetype: PackageType;
  readonly pyversion: string;
  readonly digests: Digests;
  readonly summary?: string;
  readonly requiresPython?: string;
  readonly requiresDist: readonly string[];
}

export type FormResult = { readonly ok: true; readonly value: UploadForm } | { readonly ok: false; readonly rejection: UploadRejection };

const KNOWN_METADATA_VERSIONS = new Set(['1.0', '1.1', '1.2', '2.0', '2.1', '2.2', '2.3', '2.4', '2.5']);
const DIGEST_RULES = [
  { field: 'sha256_digest', key: 'sha256', hexLength: 64, label: 'SHA256' },
  { field: 'blake2_256_digest', key: 'blake2_256', hexLength: 64, label: 'blake2b-256' },
  { field: 'md5_digest', key: 'md5', hexLength: 32, label: 'MD5' },
] as const;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

const invalid = (message: string): FormResult => ({ ok: false, rejection: reject('invalid-metadata', message) });

export function validateUploadForm(fields: UploadFields): FormResult {
  const one = (name: string): string | undefined => fields.get(name)?.[0];
  const all = (name: string): readonly string[] => fields.get(name) ?? [];

  const action = one(':action');
  if (action === 'submit' || action === 'submit_pkg_info') {
    return { ok: false, rejection: reject('removed-api', 'Project pre-registration is no longer required or supported, upload your files instead.') };
  }
  if (action === 'doc_upload') {
    return { ok: false, rejection: reject('removed-api', 'Uploading documentation is no longer supported, we recommend using https://readthedocs.org/.') };
  }
  if (one('protocol_version') !== '1') {
    return { ok: false, rejection: reject('unknown-protocol-version', 'Unknown protocol version.') };
  }
  for (const [field, values] of fields) {
    // A CRLF is a line break (browsers and fetch's FormData send every line break so), not a control
    // character: fields that must be one line say so themselves.
    if (values.some((value) => CONTROL.test(value.replaceAll('\r\n', '\n')))) {
      return invalid(`The field '${field.slice(0, 40).replace(/[^\w:.-]/g, '?')}' contains control characters. ${CORE_METADATA_HELP}`);
    }
  }

  const name = one('name') ?? '';
  if (name === '') {
    return invalid(`'' is an invalid value for Name. Error: This field is required. ${CORE_METADATA_HELP}`);
  }
  if (!isValidProjectName(name)) {
    return invalid(
      `'${name}' is an invalid value for Name. Error: Start and end with a letter or numeral containing only ASCII numeric and '.', '_' and '-'. ${CORE_METADATA_HELP}`,
    );
  }
  const versionText = one('version') ?? '';
  const version = parseVersion(versionText);
  if (!version) {
    return invalid(`'${versionText}' is invalid for 'version'. See https://packaging.python.org/specifications/version-specifiers/ for more information.`);
  }
  const metadataVersion = one('metadata_version');
  if (metadataVersion === undefined || !KNOWN_METADATA_VERSIONS.has(metadataVersion)) {
    return invalid(`${metadataVersion === undefined ? 'None' : `'${metadataVersion}'`} is not a valid metadata version. ${CORE_METADATA_HELP}`);
  }

  const filetype = one('filetype');
  if (filetype === undefined || filetype === '') {
    return { ok: false, rejection: reject('invalid-filetype', 'Invalid value for filetype. Error: This field is required.') };
  }
  if (filetype !== 'bdist_wheel' && filetype !== 'sdist') {
    return { ok: false, rejection: reject('invalid-filetype', 'Invalid value for filetype. Error: Use a known file type.') };
  }
  const given = one('pyversion') ?? '';
  if (filetype === 'bdist_wheel' && given === '') {
    return { ok: false, rejection: reject('invalid-filetype', 'Invalid value for pyversion. Error: Python version is required for binary distribution uploads.') };
  }
  // An sdist without a pyversion is `source`, as the reference registry takes it (`flit publish`
  // sends none); any other explicit value stays refused (BAD-INPUT 9).
  if (filetype === 'sdist' && given !== '' && given !== 'source') {
    return { ok: false, rejection: reject('invalid-filetype', "Invalid value for pyversion. Error: Use 'source' as Python version for an sdist.") };
  }
  const pyversion = filetype === 'sdist' ? 'source' : given;

  const digests: { sha256?: string; blake2_256?: string; md5?: string } = {};
  for (const rule of DIGEST_RULES) {
    const value = one(rule.field);
    if (value === undefined || value === '') {
      continue;
    }
    if (value.length !== rule.hexLength || !/^[0-9a-f]+$/i.test(value)) {
      return {
        ok: false,
        rejection: reject('invalid-digest', `Invalid value for ${rule.field}. Error: Use a valid, hex-encoded, ${rule.label} message digest.`),
      };
    }
    digests[rule.key] = value.toLowerCase();
  }
  if (Object.keys(digests).length === 0) {
    return { ok: false, rejection: reject('invalid-digest', 'Error: Include at least one message digest.') };
  }

  const summary = one('summary');
  if (summary !== undefined && summary.length > 512) {
    return invalid(`'summary' field must be 512 characters or less. ${CORE_METADATA_HELP}`);
  }
  if (summary !== undefined && /[\r\n]/.test(summary)) {
    return invalid(`'summary' must be a single line. ${CORE_METADATA_HELP}`);
  }
  const classifiers = classifierProblem(all('classifiers'));
  if (classifiers !== undefined) {
    return { ok: false, rejection: reject('invalid-classifier', classifiers) };
  }
  const requiresDist = all('requires_dist');
  const direct = requiresDist.find((requirement) => /^[^;]*@/.test(requirement));
  if (direct !== undefined) {
    return invalid(`Can't have direct dependency: '${direct}'. See https://packaging.python.org/specifications/dependency-specifiers/ for more information.`);
  }
  if (one('license') && one('license_expression')) {
    return invalid(
      `License is deprecated when License-Expression is present. Only License-Expression should be present. ${CORE_METADATA_HELP}`,
    );
  }
  const requiresPython = one('requires_python');
  return {
    ok: true,
    value: {
      name,
      version,
      versionText,
      metadataVersion,
      filetype,
      pyversion,
      digests,
      requiresDist,
      ...(summary === undefined || summary === '' ? {} : { summary }),
      ...(requiresPython === undefined || requiresPython === '' ? {} : { requiresPython }),
    },
  };
}
