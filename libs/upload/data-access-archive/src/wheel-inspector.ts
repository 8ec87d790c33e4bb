/**
 * A wheel: a safe zip holding `<name>-<version>.dist-info/{WHEEL,METADATA,RECORD}`, with the name
 * and version spelled as in the filename (BAD-INPUT 28, 29, 31, 34, 35).
 * Spec: https://packaging.python.org/specifications/binary-distribution-format/
 */
import type { ArchiveLimits } from './archive-limits.js';
import type { ArchiveContents } from './archive-contents.js';
import { refusals } from './archive-refusal.js';
import { isValidEntryPoints } from './entry-points.js';
import { openZipArchive } from './zip-reader.js';

/** `demo-1.0-py3-none-any.whl` → `demo-1.0.dist-info`. */
export const distInfoDirectory = (filename: string): string => {
  const [name = '', version = ''] = filename.slice(0, -'.whl'.length).split('-');
  return `${name}-${version}.dist-info`;
};

export async function inspectWheel(path: string, filename: string, limits: ArchiveLimits): Promise<ArchiveContents> {
  const distInfo = distInfoDirectory(filename);
  const zip = await openZipArchive(path, limits);
  try {
    if (!zip.index.hasFile(`${distInfo}/WHEEL`)) {
      throw refusals.wheelFileMissing(`${distInfo}/WHEEL`);
    }
    const coreMetadata = await zip.read(`${distInfo}/METADATA`);
    if (!coreMetadata) {
      throw refusals.wheelMetadataMissing(filename, `${distInfo}/METADATA`);
    }
    if (!zip.index.hasFile(`${distInfo}/RECORD`)) {
      throw refusals.wheelRecordMissing(filename, `${distInfo}/RECORD`);
    }
    const entryPoints = await zip.read(`${distInfo}/entry_points.txt`);
    if (entryPoints && !isValidEntryPoints(entryPoints)) {
      throw refusals.entryPoints(filename);
    }
    return { index: zip.index, coreMetadata, licensePath: (file) => `${distInfo}/licenses/${file}` };
  } finally {
    zip.close();
  }
}
