import { Logger } from '@nestjs/common';
import type { BlobMaintenance } from './blob-maintenance.js';

/**
 * Runs the orphan GC every `intervalSeconds` (each period jittered by ±20 % so replicas drift
 * apart; concurrent runs are safe anyway). A failed run (store or database down) is logged and
 * retried at the next period. Timers do not keep the process alive.
 */
export class OrphanGcSchedule {
  private readonly logger = new Logger('orphan-gc');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly maintenance: BlobMaintenance,
    private readonly intervalSeconds: number,
    private readonly graceSeconds: number,
  ) {}

  start(): void {
    if (this.intervalSeconds > 0) {
      this.schedule();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) {
      return;
    }
    const delayMs = this.intervalSeconds * 1000 * (0.8 + Math.random() * 0.4);
    this.timer = setTimeout(() => {
      this.running = this.runOnce().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, delayMs);
    this.timer.unref();
  }

  private async runOnce(): Promise<void> {
    try {
      const result = await this.maintenance.collectOrphans(this.graceSeconds);
      if (result.removed.length > 0) {
        this.logger.log(`removed ${result.removed.length} orphan blob(s), kept ${result.kept} of ${result.scanned}`);
      }
    } catch (error) {
      this.logger.warn(`orphan GC failed, will run again: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
  }
}
