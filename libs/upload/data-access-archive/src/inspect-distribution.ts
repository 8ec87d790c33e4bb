import { formatVersion, normalizeProjectName, parseVersion, reject, type DistributionFilename } from '@quiver/upload-domain';
import { resolveLimits } from './archive-limits.js';
import type { ArchiveContents } from './archive-contents.js';
import { ArchiveRefusal, refusals } from './archive-refusal.js';
import { metadataVersionAtLeast, parseCoreMetadata, type CoreMetadata } from './core-metadata.js';
import type { InspectionResult, InspectOptions } from './inspected-distribution.js';
import { inspectSdist } from './sdist-inspector.js';
import { inspectWheel } from './wheel-inspector.js';

/**
 * Checks an uploaded distribution already on disk, without extracting it, and returns its core
 * metadata (BAD-INPUT 28-35, 40, 41). Memory stays bounded whatever the archive claims to hold.
 *
 * `parsed` is `options.filename` as parsed by the upload domain. Refusals come back as
 * `invalid-distribution` rejections; I/O failures (e.g. the file is missing) are thrown.
 */
export async function inspectDistribution(path: string, parsed: DistributionFilename, options: InspectOptions): Promise<InspectionResult> {
  const limits = resolveLimits(options.limits);
  const { filename } = options;
  const filenameVersion = filename.endsWith('.whl') ? filename.split('-')[1] : undefined;
  if (parsed.kind === 'bdist_wheel' ? !filename.endsWith('.whl') || filenameVersion === undefined : !filename.endsWith(parsed.extension)) {
    throw new TypeError(`inspectDistribution: '${filename}' does not match the parsed ${parsed.kind} filename`);
  }
  try {
    const contents = parsed.kind === 'bdist_wheel' ? await inspectWheel(path, filename, limits) : await inspectSdist(path, filename, limits);
    const metadata = parseCoreMetadata(contents.coreMetadata);
    checkNameAndVersion(metadata, parsed);
    checkLicenseFiles(metadata, contents, filename);
    return {
      ok: true,
      value: {
        coreMetadata: contents.coreMetadata,
        metadata,
        memberCount: contents.index.memberCount,
        uncompressedSize: contents.index.uncompressedSize,
      },
    };
  } catch (error) {
    if (error instanceof ArchiveRefusal) {
      return { ok: false, rejection: reject('invalid-distribution', error.message) };
    }
    throw error;
  }
}

/** The metadata must describe the release the filename names (PEP 503 names, normalised versions). */
function checkNameAndVersion(metadata: CoreMetadata, parsed: DistributionFilename): void {
  const version = parseVersion(metadata.version.trim());
  const sameName = metadata.name.trim() !== '' && normalizeProjectName(metadata.name.trim()) === normalizeProjectName(parsed.name);
  if (!sameName || !version || formatVersion(version) !== formatVersion(parsed.version)) {
    throw refusals.metadataMismatch(`${metadata.name} ${metadata.version}`, `${parsed.name} ${formatVersion(parsed.version)}`);
  }
}

/** From metadata 2.4 on, every `License-File` must ship in the archive (BAD-INPUT 40). */
function checkLicenseFiles(metadata: CoreMetadata, contents: ArchiveContents, filename: string): void {
  if (!metadataVersionAtLeast(metadata.metadataVersion, 2, 4)) {
    return;
  }
  for (const licenseFile of metadata.licenseFiles) {
    const path = contents.licensePath(licenseFile);
    if (!contents.index.hasFile(path)) {
      throw refusals.licenseFileMissing(licenseFile, filename, path);
    }
  }
}
