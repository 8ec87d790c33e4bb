import type { Database, EventBus } from '@quiver/shared-ports';
import { OutboxRelay, type RelayOptions } from './outbox-relay.js';

/**
 * Keeps a relay going: runs it when kicked (right after a commit) and on an interval (for commits
 * by other replicas and for retries after a bus outage), one run at a time.
 */
export class RelayRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly relay: OutboxRelay,
    private readonly options: { readonly intervalMs: number; readonly onError: (error: unknown) => void },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.kick(), this.options.intervalMs);
    this.timer.unref();
    void this.kick();
  }

  /** Asks for a run soon; resolves when a run that started after this call has finished. */
  kick(): Promise<void> {
    if (this.stopped) {
      return Promise.resolve();
    }
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.relay.publishPending();
        } catch (error) {
          this.options.onError(error);
        }
      } while (this.again && !this.stopped);
      this.running = undefined;
    })();
    return this.running;
  }

  /**
   * Kicks and waits for that run, but at most `ms`: usually it has published within milliseconds,
   * but with the bus down a run can take minutes, and an answer must not wait for the bus.
   */
  async kickWithin(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.kick(), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** `next(eventId)` after the run this call kicks has published (or `ms` passed, whichever is first). */
  kickedThen(ms: number, next: (eventId: string) => Promise<void>): (eventId: string) => Promise<void> {
    return async (eventId) => {
      await this.kickWithin(ms);
      await next(eventId);
    };
  }

  /** A runner for a service's outbox to `options.topic`, every second and when kicked; failures are retried and reported to `warn`. */
  static forOutbox(db: Database, bus: EventBus, options: RelayOptions, warn: (message: string) => void): RelayRunner {
    return new RelayRunner(new OutboxRelay(db, bus, options), {
      intervalMs: 1000,
      onError: (error) => warn(`relay will retry: ${error instanceof Error ? error.message : String(error)}`),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
