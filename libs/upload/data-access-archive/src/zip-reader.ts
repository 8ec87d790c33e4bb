import { stat } from 'node:fs/promises';
import yauzl from 'yauzl';
import type { ArchiveLimits } from './archive-limits.js';
import { ArchiveRefusal } from './inspected-distribution.js';
import { isUnsafeMemberPath, memberNotAllowed, printableMember } from './member-path.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const PER_MEMBER_RATIO_FLOOR = 1024;

export interface ZipListing {
  readonly names: ReadonlySet<string>;
  readonly memberCount: number;
  readonly uncompressedSize: number;
  /** Reads one member fully (bounded); undefined when there is no such member. */
  read(name: string): Promise<Uint8Array | undefined>;
  close(): void;
}

const openZip = (path: string): Promise<yauzl.ZipFile> =>
  new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true, decodeStrings: true }, (error, zip) => {
      if (error || !zip) {
        reject(new ArchiveRefusal('Invalid distribution file. File is not a zipfile'));
      } else {
        resolve(zip);
      }
    });
  });

/**
 * Lists a zip's central directory, refusing what could hurt an installer or us: unsafe or
 * duplicate names, links, unsupported compression, and compression ratios over the limit. Reads
 * no member data until asked.
 */
export async function listZip(path: string, limits: ArchiveLimits): Promise<ZipListing> {
  const fileSize = (await stat(path)).size;
  const zip = await openZip(path);
  const entries = new Map<string, yauzl.Entry>();
  let uncompressedSize = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (error: Error) => reject(new ArchiveRefusal(`Invalid distribution file. ${error.message}`)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        try {
          const name = entry.fileName;
          if (isUnsafeMemberPath(name) || ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
            throw new ArchiveRefusal(memberNotAllowed(name));
          }
          if (entries.has(name)) {
            throw new ArchiveRefusal(`Invalid distribution file. Duplicate archive member '${printableMember(name)}'`);
          }
          if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
            throw new ArchiveRefusal('Invalid distribution file. File does not use a supported compression type');
          }
          const ratio = entry.compressedSize > 0 ? entry.uncompressedSize / entry.compressedSize : 0;
          uncompressedSize += entry.uncompressedSize;
          if ((entry.compressedSize >= PER_MEMBER_RATIO_FLOOR && ratio > limits.maxCompressionRatio) || uncompressedSize / Math.max(fileSize, 1) > limits.maxCompressionRatio) {
            throw new ArchiveRefusal(`Invalid distribution file. File exceeds compression ratio of ${limits.maxCompressionRatio}`);
          }
          if (entries.size >= limits.maxMembers) {
            throw new ArchiveRefusal('Invalid distribution file. Archive exceeds the member limit');
          }
          entries.set(name, entry);
          zip.readEntry();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    throw error;
  }
  return {
    names: new Set(entries.keys()),
    memberCount: entries.size,
    uncompressedSize,
    read: (name) => {
      const entry = entries.get(name);
      if (!entry) {
        return Promise.resolve(undefined);
      }
      if (entry.uncompressedSize > limits.maxMetadataBytes) {
        return Promise.reject(new ArchiveRefusal(`Invalid distribution file. '${printableMember(name)}' is larger than ${limits.maxMetadataBytes} bytes`));
      }
      return new Promise((resolve, reject) => {
        zip.openReadStream(entry, (error, stream) => {
          if (error || !stream) {
            reject(new ArchiveRefusal(`Invalid distribution file. ${error?.message ?? 'unreadable member'}`));
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', (streamError: Error) => reject(new ArchiveRefusal(`Invalid distribution file. ${streamError.message}`)));
          stream.on('end', () => resolve(Buffer.concat(chunks)));
        });
      });
    },
    close: () => zip.close(),
  };
}
