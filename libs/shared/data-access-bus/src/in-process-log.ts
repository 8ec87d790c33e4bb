import { partitionFor } from './partitioner.js';

/** One message as the in-process bus stores it. */
export interface StoredMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** An append-only partition. Appends wake waiting consumers on a later turn of the event loop. */
export class PartitionLog {
  private readonly messages: StoredMessage[] = [];
  private readonly waiters = new Set<() => void>();

  get length(): number {
    return this.messages.length;
  }

  at(offset: number): StoredMessage | undefined {
    return this.messages[offset];
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

  /** Resolves once the log holds more than `length` messages, or when `signal` aborts. */
  waitBeyond(length: number, signal: AbortSignal): Promise<void> {
    if (this.messages.length > length || signal.aborted) {
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
