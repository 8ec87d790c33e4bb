/**
 * Test-only zip writer: builds archives a careful reader must refuse as easily as valid ones.
 * Stored and deflated members; any compression method number can be written (the data is then
 * stored as-is), as can external attributes, duplicate names, lying sizes and checksums, local
 * headers that differ from the central directory, and bytes no directory entry accounts for.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntrySpec {
  /** Member name; a string is written as UTF-8 (with the UTF-8 flag when not ASCII). */
  readonly name: string | Uint8Array;
  readonly data?: string | Uint8Array;
  /** 0 stored, 8 deflated (default); any other number is written with the data stored. */
  readonly method?: number;
  /** Full 32-bit external attributes (Unix mode in the high 16 bits). */
  readonly externalAttributes?: number;
  /** General purpose flags to set on top of the computed ones. */
  readonly flags?: number;
  /** Name to write in the local header instead of `name`. */
  readonly localName?: string;
  /** Uncompressed size to declare (both headers) instead of the real one. */
  readonly declaredSize?: number;
  /** CRC-32 to declare (both headers) instead of the real one. */
  readonly crc?: number;
  /** CRC-32 to write in the local header only. */
  readonly localCrc?: number;
  /** Bytes written after this member's data that no central directory entry points at. */
  readonly hiddenAfter?: Uint8Array;
}

export interface ZipOptions {
  /** Bytes before the first member (a self-extractor stub); offsets account for them. */
  readonly prefix?: Uint8Array;
  /** Entry count written in the end record instead of the real one. */
  readonly advertisedEntries?: number;
}

const UTF8_FLAG = 0x800;
const MADE_BY_UNIX = (3 << 8) | 20;
const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;

/** Unix mode bits placed where zip stores them. */
export const unixAttributes = (mode: number): number => (mode << 16) >>> 0;

const bytesOf = (value: string | Uint8Array): Buffer => (typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value));

export function buildZip(entries: readonly ZipEntrySpec[], options: ZipOptions = {}): Buffer {
  const prefix = Buffer.from(options.prefix ?? new Uint8Array());
  const locals: Buffer[] = [prefix];
  const centrals: Buffer[] = [];
  let offset = prefix.length;
  for (const entry of entries) {
    const name = bytesOf(entry.name);
    const localName = entry.localName === undefined ? name : bytesOf(entry.localName);
    const data = bytesOf(entry.data ?? '');
    const method = entry.method ?? 8;
    const compressed = method === 8 ? deflateRawSync(data) : data;
    const checksum = entry.crc ?? crc32(data);
    const size = entry.declaredSize ?? data.length;
    const flags = (entry.flags ?? 0) | (name.some((byte) => byte >= 0x80) && typeof entry.name === 'string' ? UTF8_FLAG : 0);
    const isDirectory = name.at(-1) === 0x2f;
    const attributes = entry.externalAttributes ?? unixAttributes(isDirectory ? 0o40755 : 0o100644);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(entry.localCrc ?? checksum, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(localName.length, 26);
    local.writeUInt16LE(0, 28);
    const hidden = Buffer.from(entry.hiddenAfter ?? new Uint8Array());
    locals.push(local, localName, compressed, hidden);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(MADE_BY_UNIX, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(DOS_DATE_1980_01_01, 14);
    central.writeUInt32LE(checksum, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30);
    central.writeUInt16LE(0, 32);
    central.writeUInt16LE(0, 34);
    central.writeUInt16LE(0, 36);
    central.writeUInt32LE(attributes, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + localName.length + compressed.length + hidden.length;
  }
  const centralDirectory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(options.advertisedEntries ?? entries.length, 8);
  end.writeUInt16LE(options.advertisedEntries ?? entries.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  return Buffer.concat([...locals, centralDirectory, end]);
}
