import type { ProjectReadModel, StoredFile } from '../simple/project.read-model.js';

interface Entry {
  readonly file: StoredFile;
  readonly project: string;
  readonly serial: number;
}

/**
 * The read-model rows behind `/files/<sha256>/<filename>`, remembered with the serial their project
 * had when they were read. A row is used again only while the project's serial is unchanged:
 * every package event bumps it (a delete above all), so a cached row can never outlive its file.
 * The serial comes from `currentSerial` (in memory in embedded mode, batched per event-loop turn
 * in distributed mode); lookups that find nothing are never remembered.
 */
export class StoredFiles {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly readModel: Pick<ProjectReadModel, 'storedFile'>,
    private readonly currentSerial: (project: string) => number | undefined | Promise<number | undefined>,
    private readonly maxEntries = 50_000,
  ) {}

  /** The file and the project it belongs to (whose read permission a download needs). */
  async find(sha256: string, filename: string): Promise<{ readonly file: StoredFile; readonly project: string } | undefined> {
    const key = `${sha256}/${filename}`;
    const cached = this.entries.get(key);
    if (cached && (await this.currentSerial(cached.project)) === cached.serial) {
      return cached;
    }
    const found = await this.readModel.storedFile(sha256, filename);
    this.entries.delete(key);
    if (!found) {
      return undefined;
    }
    this.entries.set(key, found);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) {
        this.entries.delete(oldest);
      }
    }
    return found;
  }
}
