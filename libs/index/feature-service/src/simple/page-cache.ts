import type { LiveSerial } from './project-serials.js';

/** The Simple API's three representations (PEP 691), one body slot each. */
const SLOTS = { 'text/html': 'html', 'application/vnd.pypi.simple.v1+html': 'htmlV1', 'application/vnd.pypi.simple.v1+json': 'jsonV1' } as const;
type Slot = (typeof SLOTS)[keyof typeof SLOTS];

export interface CachedPage {
  readonly serial: number;
  /** The project's live serial when it was read (embedded mode), to tell staleness without a lookup. */
  readonly live: LiveSerial | undefined;
  html: Buffer | undefined;
  htmlV1: Buffer | undefined;
  jsonV1: Buffer | undefined;
  /** Memory the page holds: its bodies' UTF-8 bytes, `PAGE_OVERHEAD_BYTES`, and `BODY_OVERHEAD_BYTES` a body. */
  bytes: number;
  /** Served since eviction last passed it: it gets a second chance (CLOCK) instead of being dropped. */
  used: boolean;
}

/**
 * What a page costs besides its bodies' bytes: the map entry, the key and the entry object; and
 * each body's Buffer and ArrayBuffer (V8 heap) with the backing store's own allocation (malloc).
 * Measured on Node 24 with 100,000 pages of one to three bodies of 200-4,000 bytes, after a full
 * collection, with the tunables of `tools/runtime-env.mjs`: 1.0-1.3 KiB of resident memory beyond
 * the bytes for a page with one body, and about 0.7 KiB for each further body (docs/adr/0022).
 */
export const PAGE_OVERHEAD_BYTES = 512;
export const BODY_OVERHEAD_BYTES = 640;

const slotOf = (format: string): Slot | undefined => (Object.hasOwn(SLOTS, format) ? SLOTS[format as keyof typeof SLOTS] : undefined);

/**
 * Rendered project pages, each valid for exactly one `last_serial`: every package event bumps the
 * project's serial, so the caller serves a body only while the project's serial is still the one
 * the body was rendered at (`ProjectSerials.isCurrent`; the database decides in distributed mode,
 * so read-your-writes holds across replicas).
 *
 * Only the rendered bodies are kept, not the page objects they were rendered from, so a registry of
 * tens of thousands of projects does not make every garbage collection walk tens of thousands of
 * pages, files and dates, and a hit touches one map entry and one object. A format not rendered
 * yet loads the page again.
 *
 * The bodies are UTF-8 bytes in Buffers that own exactly their memory, outside the V8 heap: V8
 * sizes its heap as a multiple of what is live there, so bodies kept as strings were paid for up
 * to four times over in committed heap (docs/adr/0022), and every send encoded them again.
 *
 * Bounded by the memory the pages hold (`QUIVER_PAGE_CACHE_BYTES`), not by a count of projects, so
 * the number of projects a registry has is not a cliff: when the budget is exceeded, pages not
 * served since the eviction hand last passed them go first (second chance, CLOCK). A hit only sets
 * a flag; it never reorders the map. A body larger than an eighth of the budget is not kept.
 */
export class PageCache {
  private readonly entries = new Map<string, CachedPage>();
  private bytes = 0;

  constructor(readonly budgetBytes: number) {}

  /** The cached body of `name` in `format`, with the serial it was rendered at; not checked for freshness. */
  get(name: string, format: string): { readonly body: Buffer; readonly page: CachedPage } | undefined {
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

  /**
   * Keeps `body`, rendered in `format` from the page at `serial`; other formats of the same serial
   * stay. Returns the body's bytes, kept or not, for the caller to send.
   */
  set(name: string, serial: number, live: LiveSerial | undefined, format: string, body: string): Buffer {
    // Its own ArrayBuffer: a small Buffer.from() is a view into a shared pool slab, and keeping the
    // view would keep the whole slab.
    const encoded = Buffer.allocUnsafeSlow(Buffer.byteLength(body));
    encoded.write(body);
    const slot = slotOf(format);
    const cost = encoded.length + BODY_OVERHEAD_BYTES;
    if (!slot || cost + PAGE_OVERHEAD_BYTES > this.budgetBytes / 8) {
      return encoded;
    }
    let page = this.entries.get(name);
    if (page?.serial !== serial) {
      this.drop(name);
      page = { serial, live, html: undefined, htmlV1: undefined, jsonV1: undefined, bytes: PAGE_OVERHEAD_BYTES, used: false };
      this.entries.set(name, page);
      this.bytes += PAGE_OVERHEAD_BYTES;
    }
    const previous = page[slot];
    page[slot] = encoded;
    const grown = cost - (previous === undefined ? 0 : previous.length + BODY_OVERHEAD_BYTES);
    page.bytes += grown;
    this.bytes += grown;
    this.evict(name);
    return encoded;
  }

  /** Memory the pages held now take: their bodies' bytes and the overheads. */
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
