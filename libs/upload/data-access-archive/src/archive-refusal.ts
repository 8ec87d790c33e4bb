/**
 * Why an archive is refused. Inspectors throw an `ArchiveRefusal`; the entry point turns it into an
 * `invalid-distribution` rejection. Every user-facing archive message is built here so the wording
 * (BAD-INPUT 28-35, 40, 41) stays in one place.
 */
export class ArchiveRefusal extends Error {
  override readonly name = 'ArchiveRefusal';
}

const INVALID = 'Invalid distribution file.';
const MAX_SHOWN = 200;

/**
 * A name from the archive, made safe to show in a message, a log line or a header: control and
 * invisible formatting characters (bidi overrides, line separators) replaced, length capped (in
 * code points, so no surrogate pair is cut).
 */
export const shown = (text: string): string => [...text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '?')].slice(0, MAX_SHOWN).join('');

export const refusals = {
  notZip: () => new ArchiveRefusal(`${INVALID} File is not a zipfile`),
  notTarGz: () => new ArchiveRefusal(`${INVALID} File is not a gzip-compressed tar archive`),
  compressionRatio: (ratio: number) => new ArchiveRefusal(`${INVALID} File exceeds compression ratio of ${ratio}`),
  compressionType: () => new ArchiveRefusal(`${INVALID} File does not use a supported compression type`),
  duplicate: (member: string) => new ArchiveRefusal(`${INVALID} Duplicate archive member '${shown(member)}'`),
  memberNotAllowed: (member: string) =>
    new ArchiveRefusal(`${INVALID} Archive member '${shown(member)}' is not allowed (absolute, parent-relative or link)`),
  ambiguousMember: (member: string) =>
    new ArchiveRefusal(`${INVALID} Archive member '${shown(member)}' is ambiguous (its name or headers can be read in more than one way)`),
  encryptedMember: (member: string) => new ArchiveRefusal(`${INVALID} Archive member '${shown(member)}' is encrypted`),
  corruptMember: (member: string) =>
    new ArchiveRefusal(`${INVALID} Archive member '${shown(member)}' is corrupt (its data does not match its declared size or checksum)`),
  pathConflict: (member: string) =>
    new ArchiveRefusal(`${INVALID} Archive member '${shown(member)}' is both a file and a directory`),
  caseCollision: (first: string, second: string, paths?: readonly [string, string]) =>
    new ArchiveRefusal(
      `${INVALID} Archive members '${shown(first)}' and '${shown(second)}' collide on case-insensitive file systems ` +
        `(${paths ? `'${shown(paths[0])}' and '${shown(paths[1])}' differ` : 'their names differ'} only in case or Unicode normalization)`,
    ),
  malformedZip: (reason: string) => new ArchiveRefusal(`${INVALID} Malformed zip file: ${shown(reason)}`),
  overlappingMembers: () => new ArchiveRefusal(`${INVALID} Archive members overlap`),
  ambiguousLayout: (reason: string) => new ArchiveRefusal(`${INVALID} Ambiguous zip layout: ${reason}`),
  tooLargeToRead: (member: string, limit: number) =>
    new ArchiveRefusal(`${INVALID} Archive member '${shown(member)}' is larger than ${limit} bytes`),
  inflatedSize: () => new ArchiveRefusal(`${INVALID} Archive exceeds the inflated size limit`),
  memberLimit: () => new ArchiveRefusal(`${INVALID} Archive exceeds the member limit`),
  sparse: () => new ArchiveRefusal(`${INVALID} tar archive not accepted: Sparse members are not allowed.`),
  topLevelDirectories: () => new ArchiveRefusal(`${INVALID} Incorrect number of top-level directories in sdist`),
  pkgInfoMissing: (path: string) => new ArchiveRefusal(`${INVALID} PKG-INFO not found at ${shown(path)}`),
  wheelFileMissing: (path: string) => new ArchiveRefusal(`${INVALID} WHEEL not found at ${shown(path)}`),
  wheelMetadataMissing: (filename: string, path: string) =>
    new ArchiveRefusal(`Wheel '${shown(filename)}' does not contain the required METADATA file: ${shown(path)}`),
  wheelRecordMissing: (filename: string, path: string) =>
    new ArchiveRefusal(`Wheel '${shown(filename)}' does not contain the required RECORD file: ${shown(path)}`),
  entryPoints: (filename: string) =>
    new ArchiveRefusal(`Wheel '${shown(filename)}' has invalid entry points defined in the entry_points.txt file`),
  licenseFileMissing: (license: string, filename: string, path: string) =>
    new ArchiveRefusal(`License-File ${shown(license)} does not exist in distribution file ${shown(filename)} at ${shown(path)}`),
  metadataMismatch: (metadata: string, filename: string) =>
    new ArchiveRefusal(`${INVALID} The metadata names '${shown(metadata)}' but the filename says '${shown(filename)}'.`),
} as const;
