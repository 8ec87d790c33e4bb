/**
 * Where a zip's parts lie in the file. Readers that trust the central directory (Python's
 * zipfile, yauzl) and readers that scan local headers front to back (streaming unzip) see the same
 * archive only when the members tile the file from byte 0 up to the central directory, and the
 * central directory runs exactly up to the end record. Anything else (a prepended stub, bytes
 * hidden between members, central directory entries past the advertised count) is refused.
 */
import { open } from 'node:fs/promises';
import { refusals } from './archive-refusal.js';

const END_RECORD_SIZE = 22;
const END_RECORD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_END_RECORD_SIZE = 56;
const ZIP64_END_RECORD_SIGNATURE = 0x06064b50;
/** A data descriptor: crc, compressed and uncompressed size (4 or 8 bytes each), maybe signed. */
const DATA_DESCRIPTOR_SIZES: readonly number[] = [12, 16, 20, 24];

/** One member's bytes: its local header, name, extra field and data (a data descriptor excluded). */
export interface MemberExtent {
  readonly name: string;
  readonly start: number;
  /** Where the member's data starts, after its local header. */
  readonly dataStart: number;
  readonly end: number;
  readonly hasDataDescriptor: boolean;
}

/** The central directory as the end record (or the zip64 end record) describes it. */
export interface CentralDirectoryLocation {
  readonly offset: number;
  readonly size: number;
  /** Where the record that follows the central directory starts. */
  readonly expectedEnd: number;
}

const safeNumber = (value: bigint): number => {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw refusals.ambiguousLayout('zip64 offsets out of range');
  }
  return Number(value);
};

/**
 * Reads the end record at the position yauzl accepted: `commentLength` bytes of comment reach
 * exactly the end of the file (yauzl refuses anything else).
 */
export async function readCentralDirectoryLocation(path: string, fileSize: number, commentLength: number): Promise<CentralDirectoryLocation> {
  const endRecordAt = fileSize - commentLength - END_RECORD_SIZE;
  const file = await open(path, 'r');
  try {
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = position >= 0 ? await file.read(buffer, 0, length, position) : { bytesRead: 0 };
      if (bytesRead !== length) {
        throw refusals.ambiguousLayout('truncated end of central directory');
      }
      return buffer;
    };
    const end = await read(endRecordAt, END_RECORD_SIZE);
    if (end.readUInt32LE(0) !== END_RECORD_SIGNATURE || end.readUInt16LE(8) !== end.readUInt16LE(10)) {
      throw refusals.ambiguousLayout('inconsistent end of central directory record');
    }
    const locatorAt = endRecordAt - ZIP64_LOCATOR_SIZE;
    const locator = locatorAt >= 0 ? await read(locatorAt, ZIP64_LOCATOR_SIZE) : undefined;
    if (!locator || locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIGNATURE) {
      return { offset: end.readUInt32LE(16), size: end.readUInt32LE(12), expectedEnd: endRecordAt };
    }
    const zip64At = safeNumber(locator.readBigUInt64LE(8));
    const zip64 = await read(zip64At, ZIP64_END_RECORD_SIZE);
    if (zip64.readUInt32LE(0) !== ZIP64_END_RECORD_SIGNATURE || zip64At + 12 + safeNumber(zip64.readBigUInt64LE(4)) !== locatorAt) {
      throw refusals.ambiguousLayout('inconsistent zip64 end of central directory record');
    }
    return { offset: safeNumber(zip64.readBigUInt64LE(48)), size: safeNumber(zip64.readBigUInt64LE(40)), expectedEnd: zip64At };
  } finally {
    await file.close();
  }
}

/** Bytes between two parts that no reader accounts for: only a data descriptor may sit there. */
const unaccounted = (gap: number, after: MemberExtent | undefined): boolean =>
  gap !== 0 && !(after?.hasDataDescriptor === true && DATA_DESCRIPTOR_SIZES.includes(gap));

/**
 * `centralDirectorySize` is the size of the entries actually read (yauzl stops after the end
 * record's entry count; Python's zipfile reads the advertised size).
 */
export function checkLayout(extents: readonly MemberExtent[], directory: CentralDirectoryLocation, centralDirectorySize: number): void {
  const sorted = [...extents].sort((a, b) => a.start - b.start);
  let position = 0;
  let previous: MemberExtent | undefined;
  for (const extent of sorted) {
    if (extent.start < position) {
      throw refusals.overlappingMembers();
    }
    if (unaccounted(extent.start - position, previous)) {
      throw refusals.ambiguousLayout(previous ? 'unlisted bytes between members' : 'data before the first member');
    }
    position = extent.end;
    previous = extent;
  }
  if (directory.offset < position || unaccounted(directory.offset - position, previous)) {
    throw refusals.ambiguousLayout('unlisted bytes before the central directory');
  }
  if (directory.size !== centralDirectorySize || directory.offset + directory.size !== directory.expectedEnd) {
    throw refusals.ambiguousLayout('the central directory does not match its advertised size');
  }
}
