import {
  deadLetterTopic,
  type EventBus,
  type OutgoingMessage,
  type SubscribeOptions,
  type Subscription,
  type TopicSpec,
} from '@quiver/shared-ports';
import { exponentialBackoff, validMaxAttempts, type RetryPolicy } from './delivery.js';
import { ConsumerGroup, type Assignment, type GroupMember } from './in-process-group.js';
import { TopicLog } from './in-process-log.js';
import { PartitionWorker } from './in-process-worker.js';
import { withDeadLetterCompanions } from './topics.js';

export interface InProcessEventBusOptions {
  /** Wait before the first retry of a failing handler; doubles per attempt up to 20 times this. Default 10 ms. */
  readonly retryBackoffMs?: number;
  /**
   * Messages kept per partition after every group that follows the topic has consumed them, for a
   * group that subscribes later (`fromBeginning` then starts at the oldest one kept). Default 1,000.
   */
  readonly retainConsumed?: number;
}

/**
 * The embedded adapter: Kafka's delivery guarantees in memory. Topics have partitions chosen by a
 * stable hash of the key, each partition is an append-only log, consumer groups commit offsets
 * that survive their subscriptions (not the process), and poison messages go to `<topic>.dlt`.
 * Like Kafka's retention, old messages go: once every group following the topic has consumed them
 * (see `trim`), so an embedded registry's memory does not grow with every event it ever carried.
 */
export class InProcessEventBus implements EventBus {
  private readonly topics = new Map<string, TopicLog>();
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly subscriptions = new Set<InProcessSubscription>();
  private readonly backoffMs: (failedAttempt: number) => number;
  private readonly retainConsumed: number;
  private closed = false;

  constructor(options: InProcessEventBusOptions = {}) {
    const initial = options.retryBackoffMs ?? 10;
    this.backoffMs = exponentialBackoff(initial, initial * 20);
    this.retainConsumed = options.retainConsumed ?? 1_000;
  }

  ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    return settled(() => {
      this.assertOpen();
      for (const spec of withDeadLetterCompanions(topics)) {
        if (!this.topics.has(spec.name)) {
          this.topics.set(spec.name, new TopicLog(spec.name, spec.partitions));
        }
      }
    });
  }

  /** Resolves once every message is appended; consumers see them on a later turn of the event loop. */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    return settled(() => {
      this.assertOpen();
      const log = this.topicLog(topic);
      for (const message of messages) {
        log.append(Object.freeze({ key: message.key, value: message.value, headers: Object.freeze({ ...message.headers }) }));
      }
    });
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.assertOpen();
    if (options.topics.length === 0) {
      throw new RangeError('subscribe needs at least one topic.');
    }
    options.topics.forEach((topic) => this.topicLog(topic));
    const retry: RetryPolicy = { maxAttempts: validMaxAttempts(options.maxAttempts), backoffMs: this.backoffMs };
    let group = this.groups.get(options.group);
    if (!group) {
      group = new ConsumerGroup((name) => this.topicLog(name));
      this.groups.set(options.group, group);
    }
    const subscription = new InProcessSubscription(
      group,
      options,
      retry,
      (topic, message) => this.publish(deadLetterTopic(topic), [message]),
      (topic, partition) => this.trim(topic, partition),
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    await group.join(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    const open = [...this.subscriptions];
    await Promise.all(open.map((subscription) => subscription.stop()));
    this.closed = true;
  }

  /**
   * Retention: the process's memory must not grow with every event it ever carried (the event store
   * keeps them; this bus is not durable anyway). A message is dropped once every group following its
   * topic has committed past it and `retainConsumed` newer messages exist. A topic no group follows
   * (a dead-letter topic) keeps everything.
   */
  private trim(topic: string, partition: number): void {
    const log = this.topics.get(topic)?.partitions[partition];
    if (!log) {
      return;
    }
    let consumed = Number.POSITIVE_INFINITY;
    for (const group of this.groups.values()) {
      if (group.follows(topic)) {
        consumed = Math.min(consumed, group.committed(topic, partition) ?? log.start);
      }
    }
    if (Number.isFinite(consumed)) {
      log.trimBefore(Math.min(consumed, log.length - this.retainConsumed));
    }
  }

  private topicLog(name: string): TopicLog {
    const log = this.topics.get(name);
    if (!log) {
      throw new Error(`Unknown topic '${name}': create it with ensureTopics first.`);
    }
    return log;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('The in-process event bus is closed.');
    }
  }
}

/** Runs synchronous work, reporting a throw as a rejected promise like the Kafka adapter does. */
function settled(work: () => void): Promise<void> {
  try {
    work();
    return Promise.resolve();
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

class InProcessSubscription implements Subscription, GroupMember {
  readonly topics: readonly string[];
  private workers: PartitionWorker[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly group: ConsumerGroup,
    private readonly options: SubscribeOptions,
    private readonly retry: RetryPolicy,
    private readonly deadLetter: (topic: string, message: OutgoingMessage) => Promise<void>,
    private readonly committed: (topic: string, partition: number) => void,
    private readonly onStopped: () => void,
  ) {
    this.topics = [...new Set(options.topics)];
  }

  assign(assignments: readonly Assignment[]): void {
    this.workers = assignments.map(
      ({ topic, partition, log }) =>
        new PartitionWorker({
          topic,
          partition,
          log,
          offsets: this.group,
          fromBeginning: this.options.fromBeginning ?? true,
          handle: this.options.handle,
          retry: this.retry,
          deadLetter: this.deadLetter,
          committed: () => this.committed(topic, partition),
        }),
    );
  }

  async revoke(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((worker) => worker.stop()));
  }

  stop(): Promise<void> {
    this.stopping ??= this.group.leave(this).finally(this.onStopped);
    return this.stopping;
  }
}
