import { ACCESS_FACTS_TOPIC } from '@quiver/shared-contracts-identity';
import type { Database, EventBus, OutgoingMessage, SubscribeOptions, Subscription, TopicSpec } from '@quiver/shared-ports';
import { appendJournalMessages } from './append-task.js';

/** Appends journal messages' `AccessRecorded` facts and returns, per message, what is left for the bus. */
export type JournalAppender = (values: readonly string[]) => Promise<readonly (string | null)[]>;

/** A database that runs the audit append tasks (`auditAppendTasks`) in its own thread. */
export interface AuditTaskRunner {
  runTask<T>(name: string, payload: unknown): Promise<T>;
}

/**
 * The bus an embedded registry's fact journal ships to: `AccessRecorded` facts are appended to the
 * audit log in the same process before the publish resolves, so the journal moves its shipped
 * offset only once they are committed. Shipping them through the in-process bus instead would
 * acknowledge them when they are queued in memory, and a `kill -9` before the audit writer took
 * them would lose what was answered. Everything else (other topics, `TokensUsed` lines) goes on to
 * the in-process bus as before.
 */
export class DirectFactBus implements EventBus {
  constructor(
    private readonly append: JournalAppender,
    private readonly bus: EventBus,
  ) {}

  /** Decodes, hashes and inserts on this thread. */
  static inThread(auditDb: Database, bus: EventBus): DirectFactBus {
    return new DirectFactBus((values) => appendJournalMessages(auditDb, values), bus);
  }

  /** Hands the journal's lines to the audit database's worker thread, which decodes, hashes and inserts them (ADR 21). */
  static inWorker(auditDb: AuditTaskRunner, bus: EventBus): DirectFactBus {
    return new DirectFactBus((values) => auditDb.runTask<(string | null)[]>('appendJournalMessages', values), bus);
  }

  ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    return this.bus.ensureTopics(topics);
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (topic !== ACCESS_FACTS_TOPIC) {
      return this.bus.publish(topic, messages);
    }
    const rest = await this.append(messages.map((message) => message.value));
    const others = messages.flatMap((message, index) => {
      const value = rest[index];
      return value ? [{ ...message, value }] : [];
    });
    if (others.length > 0) {
      await this.bus.publish(topic, others);
    }
  }

  subscribe(options: SubscribeOptions): Promise<Subscription> {
    return this.bus.subscribe(options);
  }

  /** The in-process bus is closed by its owner, not through this view of it. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
