import { partitionFor } from './partitioner.js';

/** One message as the in-process bus stores it. */
export interface StoredMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Dropped messages are spliced off in chunks of at least this many, so trimming is amortised O(1). */
const TRIM_CHUNK = 256;

/**
 * A partition: appended to at the end, trimmed at the start. Appends wake waiting consumers on a
 * later turn of the event loop. Offsets are absolute: trimming drops the oldest messages (like
 * Kafka's retention) without renumbering the rest, and `start` is the oldest offset still held.
 */
export class PartitionLog {
  private readonly messages: StoredMessage[] = [];
  /** Offset of `messages[0]`. */
  private base = 0;
  private readonly waiters = new Set<() => void>();

  /** The offset the next message gets (Kafka's log-end offset). */
  get length(): number {
    return this.base + this.messages.length;
  }

  /** The oldest offset still held (Kafka's log-start offset). */
  get start(): number {
    return this.base;
  }

  at(offset: number): StoredMessage | undefined {
    return offset < this.base ? undefined : this.messages[offset - this.base];
  }

  /** Drops the messages before `offset` (in chunks; a message at or after it is never dropped). */
  trimBefore(offset: number): void {
    const count = Math.min(offset, this.length) - this.base;
    if (count >= TRIM_CHUNK) {
      this.messages.splice(0, count);
      this.base += count;
    }
  }

  append(message: StoredMessage): void {
    this.messages.push(message);
    if (this.waiters.size > 0) {
      const woken = [...this.waiters];
      this.waiters.clear();
      // Never deliver synchronously inside publish.
      setImmediate(() => woken.forEach((wake) => wake()));
    }
  }

  /** Resolves once the log's end offset passes `length` (a message at that offset exists), or when `signal` aborts. */
  waitBeyond(length: number, signal: AbortSignal): Promise<void> {
    if (this.length > length || signal.aborted) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const wake = (): void => {
        this.waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}

export class TopicLog {
  readonly partitions: readonly PartitionLog[];

  constructor(
    readonly name: string,
    partitionCount: number,
  ) {
    this.partitions = Array.from({ length: partitionCount }, () => new PartitionLog());
  }

  /** Appends to the partition the key hashes to, so one key's messages keep their order. */
  append(message: StoredMessage): void {
    const partition = this.partitions[partitionFor(message.key, this.partitions.length)];
    if (!partition) {
      throw new Error(`No partition for key '${message.key}' in topic '${this.name}'.`);
    }
    partition.append(message);
  }
}
