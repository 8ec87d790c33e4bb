/**
 * Coalesces the per-request freshness check of distributed mode: every `/simple/<project>/` asks
 * the database for the project's serial (another replica may have projected an event a moment
 * ago), and under load many requests ask within one turn of the event loop. They share one
 * `WHERE name = ANY($1)` query instead of one round trip each.
 *
 * Read-your-writes is unchanged: a request's query is sent after the request arrived, so it sees
 * every commit that finished before it.
 */
export class SerialBatch {
  private pending = new Map<string, ((serial: number | undefined) => void)[]>();
  private failures = new Map<string, ((error: unknown) => void)[]>();
  private scheduled = false;

  constructor(
    private readonly load: (names: readonly string[]) => Promise<ReadonlyMap<string, number>>,
    private readonly maxBatch = 500,
  ) {}

  serialOf(name: string): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(name);
      if (waiting) {
        waiting.push(resolve);
        this.failures.get(name)?.push(reject);
      } else {
        this.pending.set(name, [resolve]);
        this.failures.set(name, [reject]);
      }
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const pending = this.pending;
    const failures = this.failures;
    this.pending = new Map();
    this.failures = new Map();
    const names = [...pending.keys()];
    for (let at = 0; at < names.length; at += this.maxBatch) {
      const chunk = names.slice(at, at + this.maxBatch);
      this.load(chunk).then(
        (serials) => chunk.forEach((name) => pending.get(name)?.forEach((resolve) => resolve(serials.get(name)))),
        (error: unknown) => chunk.forEach((name) => failures.get(name)?.forEach((reject) => reject(error))),
      );
    }
  }
}
