import type { VersionedPage } from './project.read-model.js';

interface Entry {
  readonly page: VersionedPage;
  readonly bodies: Map<string, string>;
}

/**
 * Rendered project pages, valid for exactly one `last_serial`: every package event bumps the
 * project's serial, so a cached body is served only while the read model says nothing changed.
 * Read-your-writes holds across replicas because the serial is read from the database each time.
 */
export class PageCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 20_000) {}

  /** The body for `name` at `serial` in `format`, rendering (and loading) only when stale. */
  async body(
    name: string,
    serial: number,
    format: string,
    load: () => Promise<VersionedPage | undefined>,
    render: (page: VersionedPage) => string,
  ): Promise<{ readonly body: string; readonly page: VersionedPage } | undefined> {
    let entry = this.entries.get(name);
    if (!entry || entry.page.lastSerial < serial) {
      const page = await load();
      if (!page) {
        this.entries.delete(name);
        return undefined;
      }
      entry = { page, bodies: new Map() };
      this.entries.delete(name);
      this.entries.set(name, entry);
      if (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) {
          this.entries.delete(oldest);
        }
      }
    }
    let body = entry.bodies.get(format);
    if (body === undefined) {
      body = render(entry.page);
      entry.bodies.set(format, body);
    }
    return { body, page: entry.page };
  }
}
