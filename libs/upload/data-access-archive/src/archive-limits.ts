/** Bounds on what an upload's archive may make us read or inflate. */
export interface ArchiveLimits {
  /** Largest total inflated size of an sdist's tar stream. */
  readonly maxInflatedBytes: number;
  readonly maxMembers: number;
  /** Largest uncompressed/compressed ratio for a wheel, overall and per member (PyPI uses 50). */
  readonly maxCompressionRatio: number;
  /** Largest metadata file (METADATA, PKG-INFO, WHEEL, RECORD, entry_points.txt) read into memory. */
  readonly maxMetadataBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxInflatedBytes: 1024 * 1024 * 1024,
  maxMembers: 100_000,
  maxCompressionRatio: 50,
  maxMetadataBytes: 1024 * 1024,
};
