import type { DeliveredMessage, OutgoingMessage } from '@quiver/shared-ports';
import { deadLetterMessage, handleWithRetries, type RetryPolicy } from './delivery.js';
import type { PartitionLog } from './in-process-log.js';

export interface OffsetStore {
  committed(topic: string, partition: number): number | undefined;
  commit(topic: string, partition: number, nextOffset: number): void;
}

export interface PartitionWorkerOptions {
  readonly topic: string;
  readonly partition: number;
  readonly log: PartitionLog;
  readonly offsets: OffsetStore;
  readonly fromBeginning: boolean;
  readonly handle: (message: DeliveredMessage) => Promise<void>;
  readonly retry: RetryPolicy;
  readonly deadLetter: (topic: string, message: OutgoingMessage) => Promise<void>;
  /** Called after each commit (the bus trims what every group has consumed). */
  readonly committed?: () => void;
}

/**
 * Consumes one partition for one group member: one message at a time, committing the next offset
 * only after the handler resolved or the message was dead-lettered.
 */
export class PartitionWorker {
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;

  constructor(private readonly options: PartitionWorkerOptions) {
    this.done = this.run();
  }

  /** Stops after the message in flight (if any) is handled and committed. */
  stop(): Promise<void> {
    this.abort.abort();
    return this.done;
  }

  private async run(): Promise<void> {
    const { topic, partition, log, offsets, retry } = this.options;
    const signal = this.abort.signal;
    await Promise.resolve();
    let position = offsets.committed(topic, partition) ?? (this.options.fromBeginning ? 0 : log.length);
    while (!signal.aborted) {
      // Behind the log's start (a new group after retention dropped older messages): begin at the
      // oldest message held, as Kafka does with auto.offset.reset=earliest.
      position = Math.max(position, log.start);
      const stored = log.at(position);
      if (stored === undefined) {
        await log.waitBeyond(position, signal);
        continue;
      }
      const message: DeliveredMessage = { topic, partition, offset: String(position), ...stored };
      const outcome = await handleWithRetries(message, this.options.handle, retry);
      if (!outcome.handled) {
        try {
          await this.options.deadLetter(topic, deadLetterMessage(message, outcome.error, outcome.attempts));
        } catch {
          // Not committed: the message is handled again (at least once, never dropped).
          await new Promise((resolve) => setTimeout(resolve, retry.backoffMs(retry.maxAttempts)));
          continue;
        }
      }
      position += 1;
      offsets.commit(topic, partition, position);
      this.options.committed?.();
    }
  }
}
