/**
 * A zip member's local header must tell the same story as its central directory entry: streaming
 * readers only see local headers, Python's zipfile and yauzl mostly the central directory.
 */
import type yauzl from 'yauzl';
import { refusals } from './archive-refusal.js';
import type { MemberExtent } from './zip-layout.js';

export const FLAG_ENCRYPTED = 0x1;
export const FLAG_DATA_DESCRIPTOR = 0x8;
export const FLAG_UTF8 = 0x800;
/** Flags that change how a member's name or data is read. */
const COMPARED_FLAGS = FLAG_ENCRYPTED | FLAG_DATA_DESCRIPTOR | FLAG_UTF8;
const ZIP64_EXTRA_FIELD = 0x0001;
const UNICODE_PATH_EXTRA_FIELD = 0x7075;
const ZIP64_MARKER = 0xffffffff;

/** Extra field records by id; undefined when the records overrun the field. */
function extraFields(raw: Buffer): Map<number, Buffer> | undefined {
  const fields = new Map<number, Buffer>();
  let offset = 0;
  while (offset + 4 <= raw.length) {
    const id = raw.readUInt16LE(offset);
    const size = raw.readUInt16LE(offset + 2);
    if (offset + 4 + size > raw.length || fields.has(id)) {
      return undefined;
    }
    fields.set(id, raw.subarray(offset + 4, offset + 4 + size));
    offset += 4 + size;
  }
  return offset === raw.length ? fields : undefined;
}

/** The local header's sizes, taken from its zip64 extra field where the header says so. */
function localSizes(header: yauzl.LocalFileHeader, fields: Map<number, Buffer>): { compressed: number; uncompressed: number } | undefined {
  if (header.compressedSize !== ZIP64_MARKER && header.uncompressedSize !== ZIP64_MARKER) {
    return { compressed: header.compressedSize, uncompressed: header.uncompressedSize };
  }
  const zip64 = fields.get(ZIP64_EXTRA_FIELD);
  if (!zip64 || zip64.length < 16) {
    return undefined;
  }
  return { uncompressed: Number(zip64.readBigUInt64LE(0)), compressed: Number(zip64.readBigUInt64LE(8)) };
}

/**
 * An Info-ZIP Unicode Path field (version, CRC-32 of the stored name, UTF-8 name), which some
 * readers prefer to the stored name and others ignore, must repeat `name`.
 */
export const unicodePathDisagrees = (field: Uint8Array | undefined, name: string): boolean =>
  field !== undefined && (field.length < 5 || Buffer.from(field.subarray(5)).toString('utf8') !== name);

/** Reads and compares the local header; returns the member's extent in the file. */
export async function checkLocalHeader(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string): Promise<MemberExtent> {
  let header: yauzl.LocalFileHeader;
  try {
    header = await zip.readLocalFileHeaderPromise(entry);
  } catch {
    throw refusals.corruptMember(name);
  }
  const fields = extraFields(header.extraField);
  const sameHeader =
    fields !== undefined &&
    header.fileName.equals(entry.fileNameRaw) &&
    !unicodePathDisagrees(fields.get(UNICODE_PATH_EXTRA_FIELD), name) &&
    header.compressionMethod === entry.compressionMethod &&
    (header.generalPurposeBitFlag & COMPARED_FLAGS) === (entry.generalPurposeBitFlag & COMPARED_FLAGS);
  if (!sameHeader) {
    throw refusals.ambiguousMember(name);
  }
  const hasDataDescriptor = (entry.generalPurposeBitFlag & FLAG_DATA_DESCRIPTOR) !== 0;
  if (!hasDataDescriptor) {
    const sizes = localSizes(header, fields);
    if (header.crc32 !== entry.crc32 || sizes?.compressed !== entry.compressedSize || sizes.uncompressed !== entry.uncompressedSize) {
      throw refusals.ambiguousMember(name);
    }
  }
  return {
    name,
    start: entry.relativeOffsetOfLocalHeader,
    dataStart: header.fileDataStart,
    end: header.fileDataStart + entry.compressedSize,
    hasDataDescriptor,
  };
}
