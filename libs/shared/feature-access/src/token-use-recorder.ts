import { randomUUID } from 'node:crypto';
import { ACCESS_FACTS_TOPIC, type TokensUsed, type TokenUse } from '@quiver/shared-contracts-identity';
import type { EventBus } from '@quiver/shared-ports';

/**
 * Keeps the latest use of each token in memory and publishes them as one `TokensUsed` fact every
 * `intervalMs`, so a token's last use costs no write per request and the request never waits for
 * the bus. A batch the bus refuses is kept for the next round (newer uses win); what a process
 * had not published when it was killed is lost (a last-use time, not an audit record).
 */
export class TokenUseRecorder {
  private pending = new Map<string, TokenUse>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly service: string,
    private readonly bus: EventBus,
    private readonly intervalMs = 1_000,
  ) {}

  record(use: { readonly tokenId: string; readonly at: Date; readonly address: string }): void {
    this.pending.set(use.tokenId, { tokenId: use.tokenId, at: use.at.toISOString(), address: use.address });
  }

  async start(): Promise<void> {
    await this.bus.ensureTopics([{ name: ACCESS_FACTS_TOPIC, partitions: 3 }]);
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Publishes what is pending now (one batch at a time). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.publishPending());
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async publishPending(): Promise<void> {
    if (this.pending.size === 0) {
      return;
    }
    const batch = this.pending;
    this.pending = new Map();
    const fact: TokensUsed = { id: randomUUID(), type: 'TokensUsed', schemaVersion: 1, service: this.service, recordedAt: new Date().toISOString(), data: { uses: [...batch.values()] } };
    try {
      await this.bus.publish(ACCESS_FACTS_TOPIC, [{ key: this.service, value: JSON.stringify(fact) }]);
    } catch {
      for (const [tokenId, use] of batch) {
        if (!this.pending.has(tokenId)) {
          this.pending.set(tokenId, use);
        }
      }
    }
  }
}
