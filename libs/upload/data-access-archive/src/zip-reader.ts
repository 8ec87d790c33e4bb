/**
 * Reads a zip (wheel or `.zip` sdist) in place: lists the central directory, checks every local
 * header and the file's layout against it, inflates every member once as a stream to check its
 * declared size and CRC-32, and keeps only the few members asked for, each capped. Nothing is
 * written to disk and memory does not grow with what the archive holds or claims to hold.
 */
import { open, stat } from 'node:fs/promises';
import yauzl from 'yauzl';
import { MEMBER_RATIO_FLOOR_BYTES, type ArchiveLimits } from './archive-limits.js';
import { refusals } from './archive-refusal.js';
import { forEachConcurrently } from './bounded-concurrency.js';
import { MemberIndex } from './member-index.js';
import { checkLayout, readCentralDirectoryLocation, type MemberExtent } from './zip-layout.js';
import { checkLocalHeader, FLAG_ENCRYPTED, FLAG_UTF8, unicodePathDisagrees } from './zip-local-header.js';
import { readMember, verifyMember, type ZipMember } from './zip-member-data.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const STORED = 0;
const DEFLATED = 8;
const CENTRAL_DIRECTORY_HEADER_SIZE = 46;
const UNICODE_PATH_EXTRA_FIELD = 0x7075;

export interface ZipArchive {
  readonly index: MemberIndex;
  /** Reads one file member into memory (at most `maxMetadataBytes`); undefined when absent. */
  read(name: string): Promise<Uint8Array | undefined>;
  close(): void;
}

const openZip = (path: string): Promise<yauzl.ZipFile> =>
  new Promise((resolve, reject) => {
    // decodeStrings: false so that we, not yauzl, judge names and word the refusal (BAD-INPUT 41);
    // yauzl's strictFileNames only applies to names it decodes, and memberName() is stricter.
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
    const onError = (error: unknown): void => {
      cleanup();
      reject(refusals.malformedZip(error instanceof Error ? error.message : 'unreadable central directory'));
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
  if (entry.extraFields.some((field) => field.id === UNICODE_PATH_EXTRA_FIELD && unicodePathDisagrees(field.data, name))) {
    throw refusals.ambiguousMember(name);
  }
  return name;
}

/** Checks one central directory entry; returns its clean name. */
function checkEntry(entry: yauzl.Entry, name: string, index: MemberIndex, fileSize: number, limits: ArchiveLimits): string {
  if ((entry.generalPurposeBitFlag & FLAG_ENCRYPTED) !== 0) {
    throw refusals.encryptedMember(name);
  }
  const fileType = (entry.externalFileAttributes >>> 16) & S_IFMT;
  const directory = name.endsWith('/');
  if (fileType !== 0 && fileType !== (directory ? S_IFDIR : S_IFREG)) {
    throw refusals.memberNotAllowed(name); // symlinks, devices, FIFOs, sockets
  }
  if (directory && entry.uncompressedSize !== 0) {
    throw refusals.ambiguousMember(name); // a directory carrying data: some tools write it out as a file
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
  if (index.uncompressedSize > limits.maxInflatedBytes) {
    throw refusals.inflatedSize();
  }
  return clean;
}

/** How many members are read at once: enough to hide per-read latency, few enough to stay small. */
const CONCURRENT_READS = 4;

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
    const listed: { readonly name: string; readonly clean: string; readonly entry: yauzl.Entry }[] = [];
    let centralDirectorySize = 0;
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      const name = memberName(entry);
      listed.push({ name, clean: checkEntry(entry, name, index, fileSize, limits), entry });
      centralDirectorySize += CENTRAL_DIRECTORY_HEADER_SIZE + entry.fileNameLength + entry.extraFieldLength + entry.fileCommentLength;
    }
    const extents: MemberExtent[] = [];
    const files = new Map<string, ZipMember>();
    await forEachConcurrently(listed, CONCURRENT_READS, async ({ name, clean, entry }) => {
      const extent = await checkLocalHeader(zip, entry, name);
      extents.push(extent);
      if (!name.endsWith('/')) {
        files.set(clean, { name: clean, entry, dataStart: extent.dataStart });
      }
    });
    // With decodeStrings: false yauzl hands the comment over as raw bytes.
    const commentLength = (zip.comment as unknown as Uint8Array).length;
    checkLayout(extents, await readCentralDirectoryLocation(path, fileSize, commentLength), centralDirectorySize);
    const file = await open(path, 'r');
    try {
      await forEachConcurrently([...files.values()], CONCURRENT_READS, (member) => verifyMember(zip, file, member));
    } finally {
      await file.close();
    }
    const read = async (name: string): Promise<Uint8Array | undefined> => {
      const member = files.get(name);
      return member ? readMember(zip, member, limits.maxMetadataBytes) : undefined;
    };
    return { index, read, close: () => zip.close() };
  } catch (error) {
    zip.close();
    throw error;
  }
}
