import { ACCESS_FACTS_TOPIC, decodeAccessFacts, type AccessRecorded } from '@quiver/shared-contracts-identity';
import type { Database, EventBus, OutgoingMessage, SubscribeOptions, Subscription, TopicSpec } from '@quiver/shared-ports';
import { appendFacts } from './audit-writer.js';

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
    private readonly auditDb: Database,
    private readonly bus: EventBus,
  ) {}

  ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    return this.bus.ensureTopics(topics);
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (topic !== ACCESS_FACTS_TOPIC) {
      return this.bus.publish(topic, messages);
    }
    const recorded: AccessRecorded[] = [];
    const others: OutgoingMessage[] = [];
    for (const message of messages) {
      const facts = decodeAccessFacts(message.value);
      const rest = facts.filter((fact) => fact.type !== 'AccessRecorded');
      recorded.push(...facts.filter((fact): fact is AccessRecorded => fact.type === 'AccessRecorded'));
      if (rest.length > 0) {
        others.push({ ...message, value: rest.map((fact) => JSON.stringify(fact)).join('\n') });
      }
    }
    if (recorded.length > 0) {
      await appendFacts(this.auditDb, recorded);
    }
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
