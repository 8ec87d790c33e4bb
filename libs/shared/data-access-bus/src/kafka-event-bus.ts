import { deadLetterTopic, type EventBus, type OutgoingMessage, type SubscribeOptions, type Subscription, type TopicSpec } from '@quiver/shared-ports';
import kafkajs, { type Admin, type ISocketFactory, type Kafka, type logLevel, type Producer } from 'kafkajs';
import { exponentialBackoff } from './delivery.js';
import { unavailableAsError } from './kafka-errors.js';
import { toKafkaMessage } from './kafka-messages.js';
import { KafkaSubscription } from './kafka-subscription.js';
import { withDeadLetterCompanions } from './topics.js';

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export interface KafkaEventBusOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** kafkajs' own logging; off by default (its retries log at ERROR level while they recover). */
  readonly logLevel?: KafkaLogLevel;
  readonly connectionTimeoutMs?: number;
  /** How often kafkajs retries a failing request before it gives up. Default 5. */
  readonly requestRetries?: number;
  /** Replication factor for topics ensureTopics creates. Default: the broker's `default.replication.factor`. */
  readonly replicationFactor?: number;
  /** Wait before the first retry of a failing handler; doubles per attempt, up to 2 s. Default 100 ms. */
  readonly retryBackoffMs?: number;
  /** Partitions of one subscription handled at the same time (each still one message at a time). Default 4. */
  readonly partitionsConsumedConcurrently?: number;
  /** Longest a fetch waits for new messages; also bounds how long stop() waits for an idle fetch. Default 1000 ms. */
  readonly maxWaitTimeMs?: number;
  /** How long subscribe() waits for the consumer to join its group. Default 60 s. */
  readonly joinTimeoutMs?: number;
  /** How long ensureTopics waits for new topics' partitions to have leaders. Default 30 s. */
  readonly topicReadyTimeoutMs?: number;
  /** How kafkajs opens its sockets; default plain TCP. Tests pass one that loses answers on purpose. */
  readonly socketFactory?: ISocketFactory;
}

const LOG_LEVELS: Record<KafkaLogLevel, logLevel> = {
  nothing: kafkajs.logLevel.NOTHING,
  error: kafkajs.logLevel.ERROR,
  warn: kafkajs.logLevel.WARN,
  info: kafkajs.logLevel.INFO,
  debug: kafkajs.logLevel.DEBUG,
};

/** The production adapter: kafkajs with an idempotent, acks=all producer and manually committed consumers. */
export class KafkaEventBus implements EventBus {
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | undefined;
  private admin: Promise<Admin> | undefined;
  /** Sends one publish() at a time, so concurrent callers keep their order and the idempotent producer its sequence. */
  private publishing: Promise<unknown> = Promise.resolve();
  private readonly subscriptions = new Set<KafkaSubscription>();
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: KafkaEventBusOptions) {
    this.kafka = new kafkajs.Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: LOG_LEVELS[options.logLevel ?? 'nothing'],
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      retry: { retries: options.requestRetries ?? 5 },
      ...(options.socketFactory ? { socketFactory: options.socketFactory } : {}),
    });
  }

  ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    return unavailableAsError('ensureTopics', async () => {
      this.assertOpen();
      const specs = withDeadLetterCompanions(topics);
      const admin = await this.connected('admin');
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((spec) => !existing.has(spec.name));
      if (missing.length > 0) {
        // Topics created meanwhile by another replica count as success (kafkajs returns false for them).
        // kafkajs's own wait for leaders retries only LEADER_NOT_AVAILABLE: on a KRaft broker that has
        // not yet spread the new topic's metadata it gets UNKNOWN_TOPIC_OR_PARTITION, and that
        // rejection escapes unhandled and ends the process. So create without it and wait here.
        await admin.createTopics({
          waitForLeaders: false,
          topics: missing.map((spec) => ({
            topic: spec.name,
            numPartitions: spec.partitions,
            replicationFactor: this.options.replicationFactor ?? -1,
          })),
        });
        await waitForLeaders(admin, missing.map((spec) => spec.name), this.options.topicReadyTimeoutMs ?? 30_000);
      }
    });
  }

  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    const send = async (): Promise<void> => {
      this.assertOpen();
      if (messages.length === 0) {
        return;
      }
      const producer = await this.connected('producer');
      try {
        await producer.send({ topic, acks: -1, messages: messages.map(toKafkaMessage) });
      } catch (error) {
        await this.retireProducer(producer);
        throw error;
      }
    };
    const sent = this.publishing.then(send, send);
    this.publishing = sent.catch(() => undefined);
    return unavailableAsError('publish', () => sent);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.assertOpen();
    const initialBackoff = this.options.retryBackoffMs ?? 100;
    const subscription = await KafkaSubscription.start(this.kafka, options, {
      backoffMs: exponentialBackoff(initialBackoff, Math.max(initialBackoff, 2000)),
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
      maxWaitTimeMs: this.options.maxWaitTimeMs ?? 1000,
      joinTimeoutMs: this.options.joinTimeoutMs ?? 60_000,
      deadLetter: (topic, message) => this.publish(deadLetterTopic(topic), [message]),
      onStopped: (stopped) => this.subscriptions.delete(stopped),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.stop()));
      await this.publishing;
      this.closed = true;
      const clients = [this.producer, this.admin].filter((client) => client !== undefined);
      await Promise.allSettled(clients.map(async (client) => (await client).disconnect()));
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('The Kafka event bus is closed.');
    }
  }

  /** Connects the producer or admin client on first use; a failed connect is retried on the next call. */
  private connected(kind: 'producer'): Promise<Producer>;
  private connected(kind: 'admin'): Promise<Admin>;
  private connected(kind: 'producer' | 'admin'): Promise<Producer | Admin> {
    if (kind === 'producer') {
      this.producer ??= this.connect(
        this.kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
        }),
        () => (this.producer = undefined),
      );
      return this.producer;
    }
    this.admin ??= this.connect(this.kafka.admin(), () => (this.admin = undefined));
    return this.admin;
  }

  /**
   * Replaces the producer after a failed send. When a produce request fails, kafkajs takes back the
   * sequence numbers it gave the batch, even when the broker had appended it and only the answer
   * was lost (a broker killed mid-request). The broker then refuses every later batch of that
   * producer on that partition as out of order, or, when the next batch has the same length,
   * acknowledges it as a duplicate of the lost one without storing it. A new producer gets a new
   * producer id and sequences from zero; what the failed send may have stored is delivered again,
   * which consumers dedupe by event id.
   */
  private async retireProducer(failed: Producer): Promise<void> {
    this.producer = undefined; // sends run one at a time, so this is the failed one's promise
    await failed.disconnect().catch(() => undefined);
  }

  private connect<T extends Producer | Admin>(client: T, forget: () => void): Promise<T> {
    const connecting = client.connect().then(() => client);
    connecting.catch(forget);
    return connecting;
  }
}

/** Kafka's answers while a new topic's metadata spreads: worth asking again. */
const SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/** Resolves once every partition of `topics` has a leader; rejects after `timeoutMs` or on any other error. */
async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (found.length === topics.length && found.every((topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0))) {
        return;
      }
    } catch (error) {
      if (!SETTLING.has((error as { type?: unknown }).type as string)) {
        throw error;
      }
    }
    if (Date.now() + delay > deadline) {
      throw new Error(`topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
