/**
 * Coalesces the per-request freshness check of distributed mode: every `/simple/<project>/` asks
 * the database for the project's serial (another replica may have projected an event a moment
 * ago), and under load many requests ask within one turn of the event loop. They share one
 * `WHERE name = ANY($1)` query instead of one round trip each.
 *
 * Read-your-writes is unchanged: a request's query is sent after the request arrived, so it sees
 * every commit that finished before it.
 */
interface Waiter {
  readonly resolve: (serial: number | undefined) => void;
  readonly reject: (error: unknown) => void;
}

export class SerialBatch {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;

  constructor(
    private readonly load: (names: readonly string[]) => Promise<ReadonlyMap<string, number>>,
    private readonly maxBatch = 500,
  ) {}

  serialOf(name: string): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(name) ?? [];
      waiters.push({ resolve, reject });
      this.pending.set(name, waiters);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = new Map();
    const names = [...pending.keys()];
    for (let at = 0; at < names.length; at += this.maxBatch) {
      const chunk = names.slice(at, at + this.maxBatch);
      const waiters = (name: string): Waiter[] => pending.get(name) ?? [];
      this.load(chunk).then(
        (serials) => chunk.forEach((name) => waiters(name).forEach((waiter) => waiter.resolve(serials.get(name)))),
        (error: unknown) => chunk.forEach((name) => waiters(name).forEach((waiter) => waiter.reject(error))),
      );
    }
  }
}
