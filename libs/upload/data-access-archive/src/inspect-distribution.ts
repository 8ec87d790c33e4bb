import { formatVersion, normalizeProjectName, parseVersion, reject, type DistributionFilename } from '@quiver/upload-domain';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './archive-limits.js';
import { ArchiveRefusal, type InspectionResult } from './inspected-distribution.js';
import { inspectSdist } from './sdist-inspector.js';
import { inspectWheel } from './wheel-inspector.js';

/**
 * Checks an uploaded distribution on disk without extracting it (BAD-INPUT 28-35, 40, 41) and
 * returns its core metadata. Memory stays bounded whatever the archive claims.
 */
export async function inspectDistribution(
  path: string,
  parsed: DistributionFilename,
  filename: string,
  overrides: Partial<ArchiveLimits> = {},
): Promise<InspectionResult> {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, ...overrides };
  try {
    const value = parsed.kind === 'bdist_wheel' ? await inspectWheel(path, filename, limits) : await inspectSdist(path, filename, limits);
    const metadataVersion = value.metadata.version ? parseVersion(value.metadata.version) : undefined;
    const sameName = value.metadata.name !== undefined && normalizeProjectName(value.metadata.name) === normalizeProjectName(parsed.name);
    if (!sameName || !metadataVersion || formatVersion(metadataVersion) !== formatVersion(parsed.version)) {
      throw new ArchiveRefusal(
        `Invalid distribution file. The metadata names '${value.metadata.name ?? ''} ${value.metadata.version ?? ''}' but the filename says '${parsed.name} ${formatVersion(parsed.version)}'.`,
      );
    }
    return { ok: true, value };
  } catch (error) {
    if (error instanceof ArchiveRefusal) {
      return { ok: false, rejection: reject('invalid-distribution', error.message) };
    }
    throw error;
  }
}
