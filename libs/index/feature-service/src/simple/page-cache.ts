import type { LiveSerial } from './project-serials.js';

/** The Simple API's three representations (PEP 691), one body slot each. */
const SLOTS = { 'text/html': 'html', 'application/vnd.pypi.simple.v1+html': 'htmlV1', 'application/vnd.pypi.simple.v1+json': 'jsonV1' } as const;
type Slot = (typeof SLOTS)[keyof typeof SLOTS];

export interface CachedPage {
  readonly serial: number;
  /** The project's live serial when it was read (embedded mode), to tell staleness without a lookup. */
  readonly live: LiveSerial | undefined;
  html: string | undefined;
  htmlV1: string | undefined;
  jsonV1: string | undefined;
}

const slotOf = (format: string): Slot | undefined => (Object.hasOwn(SLOTS, format) ? SLOTS[format as keyof typeof SLOTS] : undefined);

/**
 * Rendered project pages, each valid for exactly one `last_serial`: every package event bumps the
 * project's serial, so the caller serves a body only while the project's serial is still the one
 * the body was rendered at (`ProjectSerials.isCurrent`; the database decides in distributed mode,
 * so read-your-writes holds across replicas).
 *
 * Only the rendered bodies are kept (as flat strings), not the page objects they were rendered
 * from, so a registry of tens of thousands of projects does not make every garbage collection walk
 * tens of thousands of pages, files and dates, and a hit touches one map entry and one object. A
 * format not rendered yet loads the page again.
 */
export class PageCache {
  private readonly entries = new Map<string, CachedPage>();

  constructor(private readonly maxEntries = 20_000) {}

  /** The cached body of `name` in `format`, with the serial it was rendered at; not checked for freshness. */
  get(name: string, format: string): { readonly body: string; readonly page: CachedPage } | undefined {
    const page = this.entries.get(name);
    const slot = slotOf(format);
    const body = page && slot ? page[slot] : undefined;
    return page && body !== undefined ? { body, page } : undefined;
  }

  /** Keeps `body`, rendered in `format` from the page at `serial`; other formats of the same serial stay. */
  set(name: string, serial: number, live: LiveSerial | undefined, format: string, body: string): void {
    const slot = slotOf(format);
    if (!slot) {
      return;
    }
    let page = this.entries.get(name);
    if (page?.serial !== serial) {
      page = { serial, live, html: undefined, htmlV1: undefined, jsonV1: undefined };
      this.entries.delete(name);
      this.entries.set(name, page);
      if (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) {
          this.entries.delete(oldest);
        }
      }
    }
    // One flat copy: a rendered page is a rope of concatenated pieces, and every send would walk it.
    page[slot] = Buffer.from(body).toString();
  }
}
