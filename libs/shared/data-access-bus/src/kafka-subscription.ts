import type { OutgoingMessage, SubscribeOptions, Subscription } from '@quiver/shared-ports';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { EventBusUnavailableError } from './bus-errors.js';
import { deadLetterMessage, handleWithRetries, validMaxAttempts, type RetryPolicy } from './delivery.js';
import { unavailableAsError } from './kafka-errors.js';
import { nextOffset, toDeliveredMessage } from './kafka-messages.js';

export interface KafkaSubscriptionSettings {
  readonly backoffMs: (failedAttempt: number) => number;
  readonly partitionsConsumedConcurrently: number;
  readonly maxWaitTimeMs: number;
  readonly joinTimeoutMs: number;
  readonly deadLetter: (topic: string, message: OutgoingMessage) => Promise<void>;
  readonly onStopped: (subscription: KafkaSubscription) => void;
}

/** Resolves when the consumer has joined its group; rejects when it crashed for good or took too long. */
function groupJoined(consumer: Consumer, group: string, timeoutMs: number): { promise: Promise<void>; cancel: () => void } {
  const removers: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const cancel = (): void => {
    removers.forEach((remove) => remove());
    clearTimeout(timer);
  };
  const promise = new Promise<void>((resolve, reject) => {
    removers.push(consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    removers.push(
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) {
          reject(event.payload.error);
        }
      }),
    );
    timer = setTimeout(() => reject(new EventBusUnavailableError(`Consumer group '${group}' was not joined within ${timeoutMs} ms.`)), timeoutMs);
  }).finally(cancel);
  promise.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
  return { promise, cancel };
}

/** One kafkajs consumer in a group: manual commits after each handled (or dead-lettered) message. */
export class KafkaSubscription implements Subscription {
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly consumer: Consumer,
    private readonly options: SubscribeOptions,
    private readonly retry: RetryPolicy,
    private readonly settings: KafkaSubscriptionSettings,
  ) {}

  static async start(kafka: Kafka, options: SubscribeOptions, settings: KafkaSubscriptionSettings): Promise<KafkaSubscription> {
    if (options.topics.length === 0) {
      throw new RangeError('subscribe needs at least one topic.');
    }
    const retry: RetryPolicy = { maxAttempts: validMaxAttempts(options.maxAttempts), backoffMs: settings.backoffMs };
    const consumer = kafka.consumer({ groupId: options.group, allowAutoTopicCreation: false, maxWaitTimeInMs: settings.maxWaitTimeMs });
    const subscription = new KafkaSubscription(consumer, options, retry, settings);
    const joined = groupJoined(consumer, options.group, settings.joinTimeoutMs);
    try {
      await unavailableAsError('subscribe', async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
        await consumer.run({
          autoCommit: false,
          partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
          eachMessage: (payload) => subscription.handle(payload),
        });
        await joined.promise;
      });
      return subscription;
    } catch (error) {
      joined.cancel();
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** kafkajs waits for the message in flight (handled and committed) before it leaves the group. */
  stop(): Promise<void> {
    this.stopping ??= this.consumer.disconnect().finally(() => this.settings.onStopped(this));
    return this.stopping;
  }

  private async handle(payload: EachMessagePayload): Promise<void> {
    const { topic, partition, message } = payload;
    const delivered = toDeliveredMessage(topic, partition, message);
    const outcome = await handleWithRetries(delivered, this.options.handle, {
      ...this.retry,
      beforeRetry: () => payload.heartbeat().catch(() => undefined), // a rebalance shows up at commit time
    });
    if (!outcome.handled) {
      // If this throws, nothing is committed and kafkajs delivers the message again.
      await this.settings.deadLetter(topic, deadLetterMessage(delivered, outcome.error, outcome.attempts));
    }
    await this.consumer.commitOffsets([{ topic, partition, offset: nextOffset(message.offset) }]);
  }
}
