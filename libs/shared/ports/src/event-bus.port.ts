/** The message bus between services (Kafka in production, in-process when embedded). */
export interface OutgoingMessage {
  /** Partitioning key: messages with the same key are delivered in publish order. */
  readonly key: string;
  /** The serialised payload (JSON text for Quiver's own events). */
  readonly value: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface DeliveredMessage {
  readonly topic: string;
  readonly partition: number;
  /** Offset within the partition, as a decimal string (Kafka offsets exceed 2^53). */
  readonly offset: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

export interface SubscribeOptions {
  /** Consumer group: the group's committed offsets survive a restart of its consumers. */
  readonly group: string;
  readonly topics: readonly string[];
  /** Where a group with no committed offset starts. Default: the beginning. */
  readonly fromBeginning?: boolean;
  /**
   * Called once per message, one message at a time per partition. The offset is committed only
   * after the returned promise resolves (at-least-once). A handler that keeps failing is retried
   * `maxAttempts` times, then the message goes to `<topic>.dlt` with the error in its headers.
   */
  readonly handle: (message: DeliveredMessage) => Promise<void>;
  readonly maxAttempts?: number;
}

export interface Subscription {
  /** Stops consuming; in-flight handlers finish and their offsets are committed first. */
  stop(): Promise<void>;
}

export interface EventBus {
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** Resolves when the bus acknowledged every message (all in-sync replicas on Kafka). */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  close(): Promise<void>;
}

/** Header names the bus adds to a message it dead-letters. */
export const DEAD_LETTER_HEADERS = {
  topic: 'quiver-dlt-original-topic',
  partition: 'quiver-dlt-original-partition',
  offset: 'quiver-dlt-original-offset',
  error: 'quiver-dlt-error',
  attempts: 'quiver-dlt-attempts',
} as const;

export const deadLetterTopic = (topic: string): string => `${topic}.dlt`;
