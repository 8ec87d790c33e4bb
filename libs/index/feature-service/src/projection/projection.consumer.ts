import { decodeRecordedEvent, PACKAGE_EVENTS_TOPIC } from '@quiver/shared-contracts-packages';
import { waitUntilSeen } from '@quiver/shared-feature-runtime';
import type { Database, EventBus, Subscription } from '@quiver/shared-ports';
import { projectPackageEvent } from './package.projection.js';

export const INDEX_PROJECTION_GROUP = 'quiver-index-projection';

/**
 * Keeps the read model current from the package topic. A message that fails to decode or apply is
 * retried by the bus and then dead-lettered, never dropped.
 */
export class IndexProjectionConsumer {
  private subscription: Subscription | undefined;
  private readonly listeners = new Set<() => void>();
  /**
   * Each project's last serial as this consumer has applied it (exact only when it sees every
   * partition), in one object per project that is updated in place, never replaced: a cache can
   * hold it and read the current serial without a lookup.
   */
  private readonly serials = new Map<string, { serial: number }>();

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
  ) {}

  async start(): Promise<void> {
    const { rows } = await this.db.query<{ name: string; last_serial: string }>('SELECT name, last_serial::text AS last_serial FROM index_projects');
    rows.forEach((row) => this.advance(row.name, Number(row.last_serial)));
    this.subscription = await this.bus.subscribe({
      group: INDEX_PROJECTION_GROUP,
      topics: [PACKAGE_EVENTS_TOPIC],
      fromBeginning: true,
      handle: async (message) => {
        const event = decodeRecordedEvent(message.value);
        await this.db.transaction((tx) => projectPackageEvent(tx, event));
        // After the commit and before any waiter is released, so a confirmed upload is never served stale.
        this.advance(event.data.project, Number(event.position));
        this.listeners.forEach((listener) => listener());
      },
    });
  }

  /** The project's serial without a database round trip; only for a consumer that sees every event (embedded mode). */
  serialOf(project: string): number | undefined {
    return this.serials.get(project)?.serial;
  }

  /** The object `serialOf` reads, which follows the project's serial from now on (same caveat). */
  liveSerial(project: string): { readonly serial: number } | undefined {
    return this.serials.get(project);
  }

  private advance(project: string, serial: number): void {
    const live = this.serials.get(project);
    if (live) {
      live.serial = Math.max(live.serial, serial);
    } else {
      this.serials.set(project, { serial });
    }
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  /** Resolves once the event is in the read model, or rejects after `timeoutMs`. */
  waitFor(eventId: string, timeoutMs: number): Promise<void> {
    const seen = async (): Promise<boolean> => (await this.db.query('SELECT 1 FROM index_processed_events WHERE event_id = $1', [eventId])).rowCount > 0;
    return waitUntilSeen(seen, this.listeners, timeoutMs, `event ${eventId}`);
  }
}
