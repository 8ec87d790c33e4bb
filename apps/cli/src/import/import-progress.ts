import { SingleBar } from 'cli-progress';
import { printable } from '../plan.js';

/**
 * How `quiver import` shows its progress on standard error: a bar with the rate and the time left
 * on a terminal; otherwise one line per file copied or failed (files already there are only counted).
 */
export class ImportProgress {
  private readonly bar: SingleBar | undefined;
  private readonly started = performance.now();
  private count = 0;

  constructor(
    private readonly output: { readonly stderrIsTerminal: boolean; readonly writeErr: (text: string) => void },
    private readonly total: number,
  ) {
    if (output.stderrIsTerminal && total > 0) {
      this.bar = new SingleBar({
        format: 'importing [{bar}] {value}/{total} files | {rate} files/s | {megabytes} MB | ETA {eta_formatted}',
        etaBuffer: 50,
        hideCursor: true,
        stream: process.stderr,
      });
      this.bar.start(total, 0, { rate: '0.0', megabytes: '0.0' });
    }
  }

  private bytes = 0;

  done(filename: string, outcome: 'copied' | 'would copy' | 'present' | 'failed', bytes: number): void {
    this.count += 1;
    this.bytes += bytes;
    if (this.bar) {
      const seconds = (performance.now() - this.started) / 1000;
      this.bar.update(this.count, { rate: (this.count / Math.max(seconds, 0.001)).toFixed(1), megabytes: (this.bytes / 1e6).toFixed(1) });
      return;
    }
    if (outcome !== 'present') {
      this.output.writeErr(`${outcome} ${printable(filename)} (${this.count}/${this.total})\n`);
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}
