import type { OutboxRelay } from './outbox-relay.js';

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

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
