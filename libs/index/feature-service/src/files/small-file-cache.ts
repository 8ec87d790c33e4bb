/**
 * Bytes of small stored files (wheels, sdists, `.metadata` files) that were read and hashed to
 * their recorded sha256, kept up to a total budget and dropped oldest-used first. An entry is only
 * served for the same stored revision of its object (see `StatedBlob.revision`): an object
 * rewritten or damaged in the store since is read and checked again, so BAD-INPUT 48 still holds.
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
    return size <= this.maxEntryBytes && size <= this.budgetBytes;
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
    this.bytes += entry.bytes.length;
    return entry.bytes;
  }

  set(key: string, revision: string, bytes: Buffer): void {
    if (!this.admits(bytes.length)) {
      return;
    }
    this.remove(key);
    this.entries.set(key, { revision, bytes });
    this.bytes += bytes.length;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.budgetBytes) {
        break;
      }
      this.entries.delete(oldest);
      this.bytes -= entry.bytes.length;
    }
  }

  /** Bytes held now. */
  get size(): number {
    return this.bytes;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.bytes -= entry.bytes.length;
    }
  }
}
