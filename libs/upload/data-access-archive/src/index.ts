export { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './archive-limits.js';
export { parseCoreMetadata, type CoreMetadata } from './core-metadata.js';
export { inspectDistribution } from './inspect-distribution.js';
export type { InspectedDistribution, InspectionResult, InspectOptions } from './inspected-distribution.js';
