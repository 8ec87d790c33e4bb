import type { UploadRejection } from '@quiver/upload-domain';
import type { CoreMetadata } from './core-metadata.js';

export interface InspectedDistribution {
  /** The raw METADATA (wheel) or PKG-INFO (sdist) bytes; a wheel's are served as the PEP 658 file. */
  readonly coreMetadata: Uint8Array;
  readonly metadata: CoreMetadata;
  readonly memberCount: number;
  readonly uncompressedSize: number;
}

export type InspectionResult = { readonly ok: true; readonly value: InspectedDistribution } | { readonly ok: false; readonly rejection: UploadRejection };

/** Thrown inside an inspector to refuse the file; turned into a rejection at the entry point. */
export class ArchiveRefusal extends Error {}
