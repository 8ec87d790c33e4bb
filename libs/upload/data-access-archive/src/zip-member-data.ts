/**
 * A zip member's data, streamed: every file member is inflated once, in chunks, to prove it holds
 * exactly the bytes its central directory entry declares (size through yauzl's
 * `validateEntrySizes`, CRC-32 here). A member that lies about its size would otherwise slip past
 * the compression-ratio check and inflate without bound in an installer. Only members asked for by
 * name are kept in memory, each capped.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import type yauzl from 'yauzl';
import { ArchiveRefusal, refusals } from './archive-refusal.js';

const DEFLATED = 8;
/**
 * Members up to this size (compressed and inflated) are read in one piece and inflated
 * synchronously: a few microseconds each (at most a millisecond or two), against a zlib stream and
 * a thread-pool round trip per member, which makes wheels of many small files slow to check.
 */
const ONE_SHOT_BYTES = 1024 * 1024;

/** A file member whose local header has been checked: its data starts at `dataStart`. */
export interface ZipMember {
  readonly name: string;
  readonly entry: yauzl.Entry;
  readonly dataStart: number;
}

/** Opens the member's data where its (already checked) local header says it starts. */
const openData = (zip: yauzl.ZipFile, { entry, dataStart }: ZipMember): Promise<Readable> =>
  new Promise((resolve, reject) => {
    const deflated = entry.compressionMethod === DEFLATED;
    zip.openReadStreamLowLevel(dataStart, entry.compressedSize, 0, entry.compressedSize, deflated, entry.uncompressedSize, (error, stream) =>
      error ? reject(error) : resolve(stream),
    );
  });

/** Streams the member through `onChunk`, then checks its CRC-32. */
async function streamMember(zip: yauzl.ZipFile, member: ZipMember, onChunk: (chunk: Buffer) => void): Promise<void> {
  let checksum = 0;
  try {
    const stream = await openData(zip, member);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      checksum = crc32(chunk, checksum);
      onChunk(chunk);
    }
  } catch (error) {
    throw error instanceof ArchiveRefusal ? error : refusals.corruptMember(member.name);
  }
  if (checksum !== member.entry.crc32) {
    throw refusals.corruptMember(member.name);
  }
}

/** Reads and inflates a small member in one piece, output capped at its declared size. */
async function verifySmallMember(file: FileHandle, { name, entry, dataStart }: ZipMember): Promise<void> {
  const raw = Buffer.alloc(entry.compressedSize);
  const { bytesRead } = await file.read(raw, 0, raw.length, dataStart);
  let data: Buffer;
  try {
    data = entry.compressionMethod === DEFLATED ? inflateRawSync(raw, { maxOutputLength: Math.max(entry.uncompressedSize, 1) }) : raw;
  } catch {
    throw refusals.corruptMember(name); // malformed deflate data, or more of it than declared
  }
  if (bytesRead !== raw.length || data.length !== entry.uncompressedSize || crc32(data) !== entry.crc32) {
    throw refusals.corruptMember(name);
  }
}

/**
 * Inflates the member without keeping it; refuses it when its size or CRC-32 is not as declared.
 * `file` is the same archive, opened for plain reads.
 */
export const verifyMember = (zip: yauzl.ZipFile, file: FileHandle, member: ZipMember): Promise<void> =>
  member.entry.compressedSize <= ONE_SHOT_BYTES && member.entry.uncompressedSize <= ONE_SHOT_BYTES
    ? verifySmallMember(file, member)
    : streamMember(zip, member, () => undefined);

/** Reads one member into memory, refusing it past `limit` bytes. */
export async function readMember(zip: yauzl.ZipFile, member: ZipMember, limit: number): Promise<Uint8Array> {
  if (member.entry.uncompressedSize > limit) {
    throw refusals.tooLargeToRead(member.name, limit);
  }
  const chunks: Buffer[] = [];
  let length = 0;
  await streamMember(zip, member, (chunk) => {
    length += chunk.length;
    if (length > limit) {
      throw refusals.tooLargeToRead(member.name, limit); // leaving the loop destroys the stream
    }
    chunks.push(chunk);
  });
  return Buffer.concat(chunks, length);
}
