/**
 * What an entry costs besides its bytes: the map entry, the entry object, the Buffer and its
 * ArrayBuffer (with the backing store's own allocation), the key and the revision strings. Measured
 * on Node 24 with 200,000 entries: about 0.5 KiB of V8 heap and 1.1 to 1.4 KiB of resident memory
 * each beyond the file's bytes (docs/adr/0017).
 */
export const ENTRY_OVERHEAD_BYTES = 1024;

/**
 * Bytes of small stored files (wheels, sdists, `.metadata` files) that were read and hashed to
 * their recorded sha256, kept up to a total budget and dropped oldest-used first. An entry is only
 * served for the same stored revision of its object (see `StatedBlob.revision`): an object
 * rewritten or damaged in the store since is read and checked again, so BAD-INPUT 48 still holds.
 *
 * The budget is memory, not file sizes: an entry counts its bytes plus `ENTRY_OVERHEAD_BYTES`, and
 * it keeps a copy that owns exactly its bytes. A Buffer under 32 KiB is usually a view into one of
 * Node's shared 64 KiB pool slabs (`Buffer.poolSize`), and keeping the view keeps the whole slab:
 * until 2026-12-07 a cache of 2 MiB of files held 74 MiB of slabs (docs/adr/0017).
 */
export class SmallFileCache {
  private readonly entries = new Map<string, { readonly revision: string; readonly bytes: Buffer }>();
  private bytes = 0;

  constructor(
    readonly budgetBytes: number,
    readonly maxEntryBytes = 1024 * 1024,
  ) {}

  /** Whether a file of `size` bytes is kept here at all. */
  admits(size: number): boolean {
    return size <= this.maxEntryBytes && size + ENTRY_OVERHEAD_BYTES <= this.budgetBytes;
  }

  get(key: string, revision: string): Buffer | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      return undefined;
    }
    this.remove(key);
    if (entry.revision !== revision) {
      return undefined;
    }
    this.entries.set(key, entry); // most recently used last
    this.bytes += cost(entry.bytes);
    return entry.bytes;
  }

  set(key: string, revision: string, bytes: Buffer): void {
    if (!this.admits(bytes.length)) {
      return;
    }
    this.remove(key);
    const owned = ownBytes(bytes);
    this.entries.set(key, { revision, bytes: owned });
    this.bytes += cost(owned);
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.budgetBytes) {
        break;
      }
      this.entries.delete(oldest);
      this.bytes -= cost(entry.bytes);
    }
  }

  /** Memory held now: the files' bytes and each entry's overhead. */
  get size(): number {
    return this.bytes;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.bytes -= cost(entry.bytes);
    }
  }
}

const cost = (bytes: Buffer): number => bytes.length + ENTRY_OVERHEAD_BYTES;

/** `bytes` itself when it is the whole of its ArrayBuffer, else a copy outside the shared pool. */
function ownBytes(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) {
    return bytes;
  }
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}
