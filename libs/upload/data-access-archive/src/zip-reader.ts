/**
 * Reads a zip (wheel or `.zip` sdist) in place: lists the central directory, checks every local
 * header against it, and inflates only the few members asked for, each capped. Nothing is written
 * to disk and memory does not grow with what the archive claims to hold.
 */
import { stat } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { MEMBER_RATIO_FLOOR_BYTES, type ArchiveLimits } from './archive-limits.js';
import { ArchiveRefusal, refusals } from './archive-refusal.js';
import { MemberIndex } from './member-index.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const FLAG_ENCRYPTED = 0x1;
const FLAG_UTF8 = 0x800;
const UNICODE_PATH_EXTRA_FIELD = 0x7075;
const STORED = 0;
const DEFLATED = 8;

export interface ZipArchive {
  readonly index: MemberIndex;
  /** Reads one file member into memory (at most `maxMetadataBytes`); undefined when absent. */
  read(name: string): Promise<Uint8Array | undefined>;
  close(): void;
}

interface Extent {
  readonly start: number;
  readonly end: number;
}

const openZip = (path: string): Promise<yauzl.ZipFile> =>
  new Promise((resolve, reject) => {
    // decodeStrings: false so that we, not yauzl, judge names and word the refusal (BAD-INPUT 41).
    const options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true, strictFileNames: true };
    yauzl.open(path, options, (error, zip) => (error ? reject(refusals.notZip()) : resolve(zip)));
  });

/** The next central directory entry, or undefined at the end. */
const nextEntry = (zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> =>
  new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
    };
    const onEntry = (entry: yauzl.Entry): void => {
      cleanup();
      resolve(entry);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(undefined);
    };
    const onError = (): void => {
      cleanup();
      reject(refusals.notZip());
    };
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });

/**
 * The member's name, or a refusal when tools could read it differently: non-ASCII bytes without
 * the UTF-8 flag (CP437 or the local code page?), invalid UTF-8, or an Info-ZIP Unicode Path
 * field that disagrees with the stored name.
 */
function memberName(entry: yauzl.Entry): string {
  const raw = entry.fileNameRaw;
  const printable = raw.toString('latin1');
  const utf8 = (entry.generalPurposeBitFlag & FLAG_UTF8) !== 0;
  let name: string;
  if (utf8) {
    try {
      name = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw);
    } catch {
      throw refusals.ambiguousMember(printable);
    }
  } else if (raw.some((byte) => byte >= 0x80)) {
    throw refusals.ambiguousMember(printable);
  } else {
    name = printable;
  }
  if (entry.extraFields.some((field) => field.id === UNICODE_PATH_EXTRA_FIELD)) {
    if (yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true) !== name) {
      throw refusals.ambiguousMember(name);
    }
  }
  return name;
}

/** Lists and checks every member of the zip at `path`. The caller must `close()` the result. */
export async function openZipArchive(path: string, limits: ArchiveLimits): Promise<ZipArchive> {
  const fileSize = (await stat(path)).size;
  const zip = await openZip(path);
  // yauzl reports each failure once, to whichever listener nextEntry() has attached; this one only
  // keeps a late error from becoming an uncaught exception.
  zip.on('error', () => undefined);
  try {
    if (zip.entryCount > limits.maxMembers) {
      throw refusals.memberLimit();
    }
    const index = new MemberIndex(limits.maxMembers);
    const files = new Map<string, yauzl.Entry>();
    const extents: Extent[] = [];
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      const name = memberName(entry);
      if ((entry.generalPurposeBitFlag & FLAG_ENCRYPTED) !== 0) {
        throw refusals.encryptedMember(name);
      }
      const fileType = (entry.externalFileAttributes >>> 16) & S_IFMT;
      const directory = name.endsWith('/');
      if (fileType !== 0 && fileType !== (directory ? S_IFDIR : S_IFREG)) {
        throw refusals.memberNotAllowed(name); // symlinks, devices, FIFOs, sockets
      }
      const clean = index.add(name, directory ? 'directory' : 'file', entry.uncompressedSize);
      if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
        throw refusals.compressionType();
      }
      const memberRatio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      const fileRatio = index.uncompressedSize / Math.max(fileSize, 1);
      if ((entry.compressedSize > MEMBER_RATIO_FLOOR_BYTES && memberRatio > limits.maxCompressionRatio) || fileRatio > limits.maxCompressionRatio) {
        throw refusals.compressionRatio(limits.maxCompressionRatio);
      }
      extents.push(await checkLocalHeader(zip, entry, name));
      if (!directory) {
        files.set(clean, entry);
      }
    }
    checkNoOverlap(extents);
    return { index, read: (name) => readMember(zip, files.get(name), name, limits), close: () => zip.close() };
  } catch (error) {
    zip.close();
    throw error;
  }
}

/**
 * The local header must repeat the central directory's name and compression method: readers that
 * scan local headers (streaming unzip) would otherwise see a different archive.
 */
async function checkLocalHeader(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string): Promise<Extent> {
  let header: yauzl.LocalFileHeader;
  try {
    header = await zip.readLocalFileHeaderPromise(entry);
  } catch {
    throw refusals.corruptMember(name);
  }
  if (!header.fileName.equals(entry.fileNameRaw) || header.compressionMethod !== entry.compressionMethod) {
    throw refusals.ambiguousMember(name);
  }
  return { start: entry.relativeOffsetOfLocalHeader, end: header.fileDataStart + entry.compressedSize };
}

/** Members sharing bytes (the overlapping-entry zip bomb) are refused. */
function checkNoOverlap(extents: Extent[]): void {
  const sorted = [...extents].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i += 1) {
    const previous = sorted[i - 1];
    const current = sorted[i];
    if (previous && current && current.start < previous.end) {
      throw refusals.overlappingMembers();
    }
  }
}

async function readMember(zip: yauzl.ZipFile, entry: yauzl.Entry | undefined, name: string, limits: ArchiveLimits): Promise<Uint8Array | undefined> {
  if (!entry) {
    return undefined;
  }
  if (entry.uncompressedSize > limits.maxMetadataBytes) {
    throw refusals.tooLargeToRead(name, limits.maxMetadataBytes);
  }
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    const stream = await zip.openReadStreamPromise(entry);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > limits.maxMetadataBytes) {
        stream.destroy();
        throw refusals.tooLargeToRead(name, limits.maxMetadataBytes);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw error instanceof ArchiveRefusal ? error : refusals.corruptMember(name);
  }
  const bytes = Buffer.concat(chunks, length);
  if (crc32(bytes) !== entry.crc32) {
    throw refusals.corruptMember(name);
  }
  return bytes;
}
