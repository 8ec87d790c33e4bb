/** Bounds on what an uploaded archive may make us read, inflate or count. */
export interface ArchiveLimits {
  /**
   * Largest number of bytes an archive may inflate to: as streamed for a `.tar.gz` (tar headers
   * included), as declared for a zip (whose members are then all inflated once, to check them).
   * About 10x the largest accepted upload (BAD-INPUT 30).
   */
  readonly maxInflatedBytes: number;
  /** Largest number of members (files and directories) in any archive. */
  readonly maxMembers: number;
  /** Largest uncompressed/compressed ratio of a zip, for the whole file and for each member. */
  readonly maxCompressionRatio: number;
  /** Largest METADATA, PKG-INFO or entry_points.txt read into memory. */
  readonly maxMetadataBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = Object.freeze({
  maxInflatedBytes: 1024 * 1024 * 1024,
  maxMembers: 100_000,
  maxCompressionRatio: 50,
  maxMetadataBytes: 1024 * 1024,
});

/**
 * A zip member whose compressed data is this small is not checked on its own: tiny members have
 * noisy ratios, and however far they inflate they still count towards the whole-file ratio.
 */
export const MEMBER_RATIO_FLOOR_BYTES = 1024;

export const resolveLimits = (overrides: Partial<ArchiveLimits> = {}): ArchiveLimits => {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS };
  for (const key of Object.keys(DEFAULT_ARCHIVE_LIMITS) as (keyof ArchiveLimits)[]) {
    const value = overrides[key];
    if (value !== undefined) {
      if (!Number.isFinite(value) || value <= 0) {
        throw new RangeError(`Archive limit ${key} must be a positive number, got ${value}`);
      }
      limits[key] = value;
    }
  }
  return limits;
};
