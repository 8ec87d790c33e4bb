/**
 * Streams a `.tar.gz` sdist without extracting it: gunzip → byte counter → tar-stream. Only regular
 * files and directories are accepted; only the members asked for are kept in memory, each capped.
 * The inflated byte count and the member count are bounded (BAD-INPUT 30), so a gzip bomb costs
 * CPU up to the limit but no memory or disk.
 */
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Extract, type Header } from 'tar-stream';
import type { ArchiveLimits } from './archive-limits.js';
import { ArchiveRefusal, refusals } from './archive-refusal.js';
import { MemberIndex } from './member-index.js';

export interface TarContents {
  readonly index: MemberIndex;
  /** The wanted members that were found, by clean name. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** Fails the pipeline once more than `limit` bytes have come out of gunzip. */
class InflatedSizeLimit extends Transform {
  private seen = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      callback(refusals.inflatedSize());
    } else {
      callback(null, chunk);
    }
  }
}

type PaxRecords = Readonly<Record<string, string>>;

const isSparsePax = (pax: PaxRecords | null | undefined): boolean => Object.keys(pax ?? {}).some((key) => key.startsWith('GNU.sparse.'));

/**
 * tar-stream applies a global PAX header to the following members' `pax` only when they have
 * their own PAX header, and keeps it in a private field. Python's tarfile applies it to every
 * member, so a sparse map there must be seen too; the field is read defensively.
 */
const globalPax = (extractor: Extract): PaxRecords | undefined => {
  const value = (extractor as unknown as { _paxGlobal?: unknown })._paxGlobal;
  return typeof value === 'object' && value !== null ? (value as PaxRecords) : undefined;
};

/** Throws when the header describes anything but a plain file or directory. */
function checkType(header: Header, extractor: Extract): 'file' | 'directory' {
  // tar-stream's types promise a known type, but it reports typeflags it does not know as null;
  // the one real archives carry is GNU sparse ('S'). PAX sparse formats carry GNU.sparse.* records.
  const type = header.type as string | null | undefined;
  if (type === null || type === undefined || isSparsePax(header.pax as PaxRecords | null | undefined) || isSparsePax(globalPax(extractor))) {
    throw refusals.sparse();
  }
  if (type === 'file' || type === 'contiguous-file') {
    return 'file';
  }
  if (type === 'directory') {
    return 'directory';
  }
  // Links, devices and FIFOs; long-name and PAX headers are consumed by tar-stream, so seeing one
  // here would mean a malformed stream.
  throw refusals.memberNotAllowed(header.name);
}

/** Reads a member's data, keeping it (up to `limit` bytes) or discarding it. */
async function consume(stream: AsyncIterable<Uint8Array>, name: string, keep: boolean, limit: number): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of stream) {
    if (keep) {
      length += chunk.length;
      if (length > limit) {
        throw refusals.tooLargeToRead(name, limit);
      }
      chunks.push(chunk);
    }
  }
  return keep ? Buffer.concat(chunks, length) : undefined;
}

/** Reads the tar.gz at `path`, keeping the members named in `wanted` (clean names). */
export async function readTarGz(path: string, wanted: ReadonlySet<string>, limits: ArchiveLimits): Promise<TarContents> {
  const index = new MemberIndex(limits.maxMembers);
  const files = new Map<string, Uint8Array>();
  const extractor = extract();
  extractor.on('entry', (header, stream, next) => {
    const handle = async (): Promise<void> => {
      const kind = checkType(header, extractor);
      // tar-stream decodes names as UTF-8 with replacement characters; Python's tarfile keeps the
      // undecodable bytes. Two different raw names must not reach us as one string.
      if (header.name.includes('\uFFFD')) {
        throw refusals.ambiguousMember(header.name);
      }
      const size = header.size ?? 0;
      const clean = index.add(header.name, kind, kind === 'file' ? size : 0);
      const keep = kind === 'file' && wanted.has(clean);
      if (keep && size > limits.maxMetadataBytes) {
        throw refusals.tooLargeToRead(clean, limits.maxMetadataBytes);
      }
      const bytes = await consume(stream as AsyncIterable<Uint8Array>, clean, keep, limits.maxMetadataBytes);
      if (bytes) {
        files.set(clean, bytes);
      }
    };
    handle().then(
      () => next(),
      (error: unknown) => extractor.destroy(error instanceof Error ? error : new Error(String(error))),
    );
  });
  try {
    await pipeline(createReadStream(path), createGunzip(), new InflatedSizeLimit(limits.maxInflatedBytes), extractor);
  } catch (error) {
    if (error instanceof ArchiveRefusal) {
      throw error;
    }
    if (error instanceof Error && 'syscall' in error) {
      throw error; // reading the upload failed (missing file, permissions): not the archive's fault
    }
    throw refusals.notTarGz();
  }
  return { index, files };
}
