/**
 * An sdist (`.tar.gz`, or legacy `.zip`): exactly one top-level directory, `<name>-<version>` as in
 * the filename, holding PKG-INFO (BAD-INPUT 30, 32, 33).
 * Spec: https://packaging.python.org/specifications/source-distribution-format/
 */
import type { ArchiveLimits } from './archive-limits.js';
import type { ArchiveContents } from './archive-contents.js';
import { refusals } from './archive-refusal.js';
import type { MemberIndex } from './member-index.js';
import { readTarGz } from './tar-reader.js';
import { openZipArchive } from './zip-reader.js';

/** `demo-1.0.tar.gz` → `demo-1.0`. */
export const sdistTopDirectory = (filename: string): string => filename.slice(0, -(filename.endsWith('.zip') ? '.zip' : '.tar.gz').length);

async function readSdist(path: string, filename: string, pkgInfo: string, limits: ArchiveLimits): Promise<{ index: MemberIndex; pkgInfo?: Uint8Array }> {
  if (filename.endsWith('.zip')) {
    const zip = await openZipArchive(path, limits);
    try {
      // Structure first: PKG-INFO is only read from a well-formed sdist.
      const bytes = zip.index.topLevel.size === 1 ? await zip.read(pkgInfo) : undefined;
      return { index: zip.index, ...(bytes ? { pkgInfo: bytes } : {}) };
    } finally {
      zip.close();
    }
  }
  const tar = await readTarGz(path, new Set([pkgInfo]), limits);
  const bytes = tar.files.get(pkgInfo);
  return { index: tar.index, ...(bytes ? { pkgInfo: bytes } : {}) };
}

export async function inspectSdist(path: string, filename: string, limits: ArchiveLimits): Promise<ArchiveContents> {
  const top = sdistTopDirectory(filename);
  const pkgInfoPath = `${top}/PKG-INFO`;
  const { index, pkgInfo } = await readSdist(path, filename, pkgInfoPath, limits);
  if (index.topLevel.size !== 1) {
    throw refusals.topLevelDirectories();
  }
  if (!pkgInfo) {
    throw refusals.pkgInfoMissing(pkgInfoPath);
  }
  return { index, coreMetadata: pkgInfo, licensePath: (file) => `${top}/${file}` };
}
