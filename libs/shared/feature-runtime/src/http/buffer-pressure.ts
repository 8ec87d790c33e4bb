import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Keeps the memory of large request bodies flat. Streaming a 1 GiB upload allocates a Buffer for
 * every read (socket, temp file, archive members, object-store parts). Their memory returns only
 * when a garbage collection finds their small JS wrappers dead, and V8 starts one for external
 * memory only after about 64 MiB more of it: a fresh process's peak RSS climbs by 60-90 MiB on its
 * first large upload (measured: bench/RESULTS.md). While large bodies are in flight, this valve
 * looks at the ArrayBuffer total every `intervalMs` and asks for a minor collection (a scavenge,
 * about a millisecond) once it grew by `stepBytes`. Idle, it costs nothing.
 */
export class BufferPressureValve {
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private mark = 0;

  constructor(
    private readonly collect: () => void,
    private readonly arrayBuffers: () => number = () => process.memoryUsage().arrayBuffers,
    private readonly stepBytes = 16 * 1024 * 1024,
    private readonly intervalMs = 20,
  ) {}

  /** Whether the timer runs (some large body is in flight). */
  get watching(): boolean {
    return this.timer !== undefined;
  }

  /** Marks one large body in flight; call the returned function (once or more) when it is done. */
  enter(): () => void {
    this.inFlight += 1;
    if (this.inFlight === 1) {
      this.mark = this.arrayBuffers();
      this.timer = setInterval(() => this.check(), this.intervalMs);
      this.timer.unref();
    }
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      this.inFlight -= 1;
      if (this.inFlight === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** One look (the timer's tick). */
  check(): void {
    const now = this.arrayBuffers();
    if (now - this.mark >= this.stepBytes) {
      this.collect();
      this.mark = this.arrayBuffers();
    } else if (now < this.mark) {
      this.mark = now; // something was freed anyway: measure growth from the new low
    }
  }
}

/** A minor (young-generation) collection, without requiring `--expose-gc` on the command line. */
export function minorCollection(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options: { type: 'minor' | 'major' }) => void;
  return () => gc({ type: 'minor' });
}
