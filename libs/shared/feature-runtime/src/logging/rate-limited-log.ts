/**
 * A log line for something clients can cause at any rate (a dropped connection, say): at most one
 * line per `intervalMs`; the ones held back in between are counted into the next line, so a flood
 * of them costs a line a second, not a line each.
 */
export class RateLimitedLog {
  private lastAt = Number.NEGATIVE_INFINITY;
  private held = 0;

  constructor(
    private readonly write: (line: string) => void,
    private readonly intervalMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  note(line: string): void {
    const at = this.now();
    if (at - this.lastAt < this.intervalMs) {
      this.held += 1;
      return;
    }
    this.lastAt = at;
    const held = this.held;
    this.held = 0;
    this.write(held === 0 ? line : `${line} (and ${held} more like it since the last such line)`);
  }
}
