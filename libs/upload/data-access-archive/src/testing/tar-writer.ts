/**
 * Test-only `.tar.gz` builder on tar-stream's packer, plus raw typeflags it cannot write (GNU
 * sparse 'S', PAX global header 'g').
 */
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';

export interface TarEntrySpec {
  readonly name: string;
  readonly data?: string | Uint8Array;
  readonly type?: Header['type'];
  readonly linkname?: string;
  /** Extra PAX records written in a per-member PAX header. */
  readonly pax?: Readonly<Record<string, string>>;
  /** Rewrite this member's typeflag after packing, e.g. 'S' (GNU sparse) or 'g' (PAX global header). */
  readonly typeflag?: string;
}

export async function buildTar(entries: readonly TarEntrySpec[]): Promise<Buffer> {
  const packer = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of packer as AsyncIterable<Buffer>) {
      chunks.push(chunk);
    }
  })();
  for (const entry of entries) {
    const data = entry.data ?? '';
    const header = {
      name: entry.name,
      type: entry.type ?? 'file',
      mode: entry.type === 'directory' ? 0o755 : 0o644,
      mtime: new Date(0),
      ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }),
      ...(entry.pax === undefined ? {} : { pax: entry.pax }),
    };
    packer.entry(header, typeof data === 'string' ? Buffer.from(data) : data);
  }
  packer.finalize();
  await collected;
  const tar = Buffer.concat(chunks);
  for (const entry of entries) {
    if (entry.typeflag !== undefined) {
      setTypeflag(tar, entry.name, entry.typeflag);
    }
  }
  return tar;
}

export const buildTarGz = async (entries: readonly TarEntrySpec[]): Promise<Buffer> => gzipSync(await buildTar(entries));

const BLOCK = 512;

/** One PAX record, `<length> <key>=<value>\n`, where the length counts itself. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body);
  while (String(length).length + Buffer.byteLength(body) !== length) {
    length = String(length).length + Buffer.byteLength(body);
  }
  return `${length}${body}`;
}

/** Rewrites the checksum of the header block that holds byte `offset` of `tar`, after an edit. */
export const rechecksum = (tar: Buffer, offset: number): void => resum(tar.subarray(offset - (offset % BLOCK), offset - (offset % BLOCK) + BLOCK));

/** Rewrites the header checksum after a field changed. */
function resum(header: Buffer): void {
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of header) {
    sum += byte;
  }
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
}

/**
 * A gzip bomb: one member header declaring `inflatedBytes` of data, followed by that many zero
 * bytes as concatenated gzip members (each 8 MiB of zeros deflates to about 8 KiB), so the file
 * stays small and cheap to build however far it inflates. At most 8 GiB - 1 (octal size field).
 */
export async function buildTarGzBomb(name: string, inflatedBytes: number): Promise<Buffer> {
  const header = Buffer.from((await buildTar([{ name, data: '' }])).subarray(0, BLOCK));
  header.write(`${inflatedBytes.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  resum(header);
  const chunk = 8 * 1024 * 1024;
  const zeros = gzipSync(Buffer.alloc(chunk));
  return Buffer.concat([gzipSync(header), ...Array.from({ length: Math.ceil(inflatedBytes / chunk) }, () => zeros)]);
}

/** Walks the headers of `tar` and rewrites the typeflag (and checksum) of the member named `name`. */
function setTypeflag(tar: Buffer, name: string, typeflag: string): void {
  for (let offset = 0; offset + BLOCK <= tar.length; ) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) {
      break;
    }
    const headerName = header.toString('latin1', 0, 100).replace(/\0.*$/s, '');
    const size = Number.parseInt(header.toString('latin1', 124, 136).replace(/[\0 ]+$/, ''), 8);
    if (headerName === name) {
      header[156] = typeflag.charCodeAt(0);
      resum(header);
      return;
    }
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new Error(`setTypeflag: no member named ${name}`);
}
