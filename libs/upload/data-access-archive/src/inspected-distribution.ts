import type { UploadRejection } from '@quiver/upload-domain';
import type { ArchiveLimits } from './archive-limits.js';
import type { CoreMetadata } from './core-metadata.js';

export interface InspectedDistribution {
  /** The raw METADATA (wheel) or PKG-INFO (sdist) bytes, served as the PEP 658 `.metadata` file. */
  readonly coreMetadata: Uint8Array;
  readonly metadata: CoreMetadata;
  /** Files and directories in the archive. */
  readonly memberCount: number;
  /** Sum of the members' uncompressed sizes (as declared by a zip; as streamed for a tar). */
  readonly uncompressedSize: number;
}

export type InspectionResult = { readonly ok: true; readonly value: InspectedDistribution } | { readonly ok: false; readonly rejection: UploadRejection };

export interface InspectOptions {
  /** The uploaded filename exactly as sent (e.g. `demo-1.0-py3-none-any.whl`); messages quote it. */
  readonly filename: string;
  readonly limits?: Partial<ArchiveLimits>;
}
