/**
 * Distribution filenames: wheels (PEP 427 / binary distribution format) and sdists (PEP 625). Pure.
 * Messages follow what PyPI answers, so users searching for them find the same advice.
 */
import { filenameProjectName, formatVersion, parseVersion, type Version } from '@quiver/shared-domain-packaging';

export type PackageType = 'bdist_wheel' | 'sdist';

export interface WheelFilename {
  readonly kind: 'bdist_wheel';
  readonly name: string;
  readonly version: Version;
  readonly build?: string;
  readonly pythonTags: readonly string[];
  readonly abiTags: readonly string[];
  readonly platformTags: readonly string[];
}

export interface SdistFilename {
  readonly kind: 'sdist';
  readonly name: string;
  readonly version: Version;
  readonly extension: '.tar.gz' | '.zip';
}

export type DistributionFilename = WheelFilename | SdistFilename;

export type FilenameResult = { readonly ok: true; readonly value: DistributionFilename } | { readonly ok: false; readonly message: string };

const fail = (message: string): FilenameResult => ({ ok: false, message });

const EXTENSION_HELP = 'See https://packaging.python.org/specifications/binary-distribution-format/ and https://packaging.python.org/specifications/source-distribution-format/ for more information.';

/** Parses an uploaded filename and checks it against the declared filetype. */
export function parseDistributionFilename(filename: string, filetype: PackageType): FilenameResult {
  if (filename.includes('/') || filename.includes('\\')) {
    return fail("Cannot upload a file with '/' or '\\' in the name.");
  }
  // eslint-disable-next-line no-control-regex
  if (filename.length === 0 || filename.length > 255 || /[\u0000-\u001f\u007f]/.test(filename)) {
    return fail('Invalid filename: it must be 1 to 255 printable characters.');
  }
  if (filename.endsWith('.whl')) {
    return filetype === 'bdist_wheel' ? parseWheel(filename) : fail(`Invalid file extension: Extension .whl is invalid for filetype ${filetype}. ${EXTENSION_HELP}`);
  }
  const extension = filename.endsWith('.tar.gz') ? '.tar.gz' : filename.endsWith('.zip') ? '.zip' : undefined;
  if (!extension) {
    return fail(`Invalid file extension: Use .tar.gz, .whl or .zip extension. ${EXTENSION_HELP}`);
  }
  if (filetype !== 'sdist') {
    return fail(`Invalid file extension: Extension ${extension} is invalid for filetype ${filetype}. ${EXTENSION_HELP}`);
  }
  return parseSdist(filename, extension);
}

function parseWheel(filename: string): FilenameResult {
  const stem = filename.slice(0, -'.whl'.length);
  const parts = stem.split('-');
  if (parts.length !== 5 && parts.length !== 6) {
    return fail(`Invalid wheel filename (wrong number of parts): '${stem}'`);
  }
  const [name = '', versionText = ''] = parts;
  const build = parts.length === 6 ? parts[2] : undefined;
  const [pythonTag = '', abiTag = '', platformTag = ''] = parts.slice(-3);
  const version = parseVersion(versionText);
  if (!version) {
    return fail(`Invalid wheel filename (invalid version): '${stem}'`);
  }
  if (build !== undefined && !/^[0-9][A-Za-z0-9_.]*$/.test(build)) {
    return fail(`Invalid build number: ${build} in '${stem}'`);
  }
  if (![pythonTag, abiTag, platformTag].every((tag) => /^[A-Za-z0-9_.]+$/.test(tag))) {
    return fail(`Invalid wheel filename (invalid tags): '${stem}'`);
  }
  return {
    ok: true,
    value: {
      kind: 'bdist_wheel',
      name,
      version,
      ...(build === undefined ? {} : { build }),
      pythonTags: pythonTag.split('.'),
      abiTags: abiTag.split('.'),
      platformTags: platformTag.split('.'),
    },
  };
}

function parseSdist(filename: string, extension: '.tar.gz' | '.zip'): FilenameResult {
  const stem = filename.slice(0, -extension.length);
  const dash = stem.lastIndexOf('-');
  const version = dash > 0 ? parseVersion(stem.slice(dash + 1)) : undefined;
  if (!version) {
    return fail(`Invalid source distribution filename: '${filename}' should be '<name>-<version>${extension}'. ${EXTENSION_HELP}`);
  }
  return { ok: true, value: { kind: 'sdist', name: stem.slice(0, dash), version, extension } };
}

/**
 * Checks that a parsed filename names the project and version the upload's metadata declares
 * (BAD-INPUT 38, 39). Returns the problem, or `undefined` when they agree.
 */
export function filenameMismatch(parsed: DistributionFilename, filename: string, project: string, version: Version): string | undefined {
  const expectedName = filenameProjectName(project);
  if (parsed.name.toLowerCase().replace(/[-_.]+/g, '_') !== expectedName) {
    return `Start filename for '${project}' with '${expectedName}'.`;
  }
  if (parsed.kind === 'bdist_wheel' && parsed.name !== expectedName) {
    return `Filename '${filename}' should contain the normalized project name '${expectedName}', not '${parsed.name}'.`;
  }
  if (formatVersion(parsed.version) !== formatVersion(version)) {
    return `Version in filename should be '${formatVersion(version)}' not '${formatVersion(parsed.version)}'.`;
  }
  if (parsed.kind === 'sdist') {
    const expected = `${expectedName}-${formatVersion(version)}${parsed.extension}`;
    if (filename !== expected) {
      return `Filename '${filename}' is invalid, should be '${expected}'.`;
    }
  }
  return undefined;
}
