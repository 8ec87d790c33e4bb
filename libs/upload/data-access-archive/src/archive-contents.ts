import type { MemberIndex } from './member-index.js';

/** What an inspector found in a structurally valid archive, before its metadata is checked. */
export interface ArchiveContents {
  readonly index: MemberIndex;
  /** Raw METADATA or PKG-INFO bytes. */
  readonly coreMetadata: Uint8Array;
  /** Where a `License-File` value must be found in this archive. */
  licensePath(licenseFile: string): string;
}
