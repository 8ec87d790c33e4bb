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
  /** Bytes of the bodies held (their UTF-8 length: pages are almost all ASCII, one byte a character in memory). */
  bytes: number;
  /** Served since eviction last passed it: it gets a second chance (CLOCK) instead of being dropped. */
  used: boolean;
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
 *
 * Bounded by the bytes of the bodies (`QUIVER_PAGE_CACHE_BYTES`), not by a count of projects, so
 * the number of projects a registry has is not a cliff: when the budget is exceeded, pages not
 * served since the eviction hand last passed them go first (second chance, CLOCK). A hit only sets
 * a flag; it never reorders the map. A body larger than an eighth of the budget is not kept.
 */
export class PageCache {
  private readonly entries = new Map<string, CachedPage>();
  private bytes = 0;

  constructor(readonly budgetBytes: number) {}

  /** The cached body of `name` in `format`, with the serial it was rendered at; not checked for freshness. */
  get(name: string, format: string): { readonly body: string; readonly page: CachedPage } | undefined {
    const page = this.entries.get(name);
    const slot = slotOf(format);
    const body = page && slot ? page[slot] : undefined;
    if (page === undefined || body === undefined) {
      return undefined;
    }
    if (!page.used) {
      page.used = true; // written only when it changes: a hit on a marked page stores nothing
    }
    return { body, page };
  }

  /** Keeps `body`, rendered in `format` from the page at `serial`; other formats of the same serial stay. */
  set(name: string, serial: number, live: LiveSerial | undefined, format: string, body: string): void {
    const slot = slotOf(format);
    if (!slot) {
      return;
    }
    // One flat copy: a rendered page is a rope of concatenated pieces, and every send would walk it.
    const encoded = Buffer.from(body);
    const size = encoded.length;
    if (size > this.budgetBytes / 8) {
      return;
    }
    let page = this.entries.get(name);
    if (page?.serial !== serial) {
      this.drop(name);
      page = { serial, live, html: undefined, htmlV1: undefined, jsonV1: undefined, bytes: 0, used: false };
      this.entries.set(name, page);
    }
    const previous = page[slot];
    page[slot] = encoded.toString();
    const grown = size - (previous === undefined ? 0 : Buffer.byteLength(previous));
    page.bytes += grown;
    this.bytes += grown;
    this.evict(name);
  }

  /** Bytes of bodies held now. */
  get size(): number {
    return this.bytes;
  }

  /** Projects with at least one body held now. */
  get projects(): number {
    return this.entries.size;
  }

  /** Down to the budget, sparing `keep` (just set). Each pass over a used entry clears its flag, so this ends. */
  private evict(keep: string): void {
    for (const [name, page] of this.entries) {
      if (this.bytes <= this.budgetBytes) {
        return;
      }
      if (name === keep) {
        continue;
      }
      this.entries.delete(name);
      if (page.used) {
        page.used = false;
        this.entries.set(name, page); // to the back; this iteration reaches it again
      } else {
        this.bytes -= page.bytes;
      }
    }
  }

  private drop(name: string): void {
    const page = this.entries.get(name);
    if (page) {
      this.entries.delete(name);
      this.bytes -= page.bytes;
    }
  }
}
