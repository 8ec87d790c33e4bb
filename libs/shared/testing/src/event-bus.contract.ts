import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  DEAD_LETTER_HEADERS,
  deadLetterTopic,
  type DeliveredMessage,
  type EventBus,
  type OutgoingMessage,
  type SubscribeOptions,
  type Subscription,
} from '@quiver/shared-ports';
import { uniqueName } from './env.js';
import { eventually } from './eventually.js';

/** Generous: a Kafka consumer joins its group and fetches within a few seconds on a healthy broker. */
const DELIVERY_TIMEOUT_MS = 60_000;

interface Collector {
  readonly received: DeliveredMessage[];
  readonly handle: (message: DeliveredMessage) => Promise<void>;
}

function collector(): Collector {
  const received: DeliveredMessage[] = [];
  return {
    received,
    handle: (message) => {
      received.push(message);
      return Promise.resolve();
    },
  };
}

const values = (messages: readonly DeliveredMessage[]): string[] => messages.map((message) => message.value);

/**
 * One suite that every EventBus adapter passes. `open` returns a bus to a fresh or shared backend;
 * every test uses its own topics and consumer groups.
 */
export function eventBusContract(adapterName: string, open: () => Promise<EventBus>): void {
  describe(`EventBus contract: ${adapterName}`, () => {
    let opened: EventBus | undefined;
    const running: Subscription[] = [];

    const bus = (): EventBus => {
      assert.ok(opened, 'the bus did not open');
      return opened;
    };

    const subscribe = async (options: SubscribeOptions): Promise<Subscription> => {
      const subscription = await bus().subscribe(options);
      running.push(subscription);
      return subscription;
    };

    const waitFor = <T>(what: string, probe: () => T): Promise<Exclude<T, false>> =>
      eventually(probe, { what, timeoutMs: DELIVERY_TIMEOUT_MS });

    before(async () => {
      opened = await open();
    });

    afterEach(async () => {
      await Promise.all(running.splice(0).map((subscription) => subscription.stop()));
    });

    after(async () => {
      await opened?.close();
    });

    it('delivers the key, value and headers of published messages, with their partition and offset', async () => {
      const topic = uniqueName('contract-basic');
      await bus().ensureTopics([{ name: topic, partitions: 1 }]);
      const value = JSON.stringify({ type: 'ProjectCreated', name: 'ünïcödé-✓' });
      await bus().publish(topic, [
        { key: 'project-a', value, headers: { 'content-type': 'application/json', 'quiver-event-id': 'evt-1' } },
        { key: 'project-a', value: 'second' },
      ]);
      const { received, handle } = collector();
      await subscribe({ group: uniqueName('group'), topics: [topic], handle });

      await waitFor('two deliveries', () => assert.equal(received.length, 2));
      assert.deepEqual(received[0], {
        topic,
        partition: 0,
        offset: '0',
        key: 'project-a',
        value,
        headers: { 'content-type': 'application/json', 'quiver-event-id': 'evt-1' },
      });
      assert.deepEqual(received[1], { topic, partition: 0, offset: '1', key: 'project-a', value: 'second', headers: {} });
    });

    it('keeps publish order per key on a multi-partition topic, also across concurrent publish calls', async () => {
      const topic = uniqueName('contract-order');
      await bus().ensureTopics([{ name: topic, partitions: 4 }]);
      const keys = Array.from({ length: 8 }, (_, index) => `stream-${index}`);
      const perKey = 25;
      const batches: OutgoingMessage[][] = [];
      for (let first = 0; first < perKey; first += 5) {
        batches.push(
          Array.from({ length: 5 }, (_, offset) => first + offset).flatMap((seq) =>
            keys.map((key) => ({ key, value: JSON.stringify({ key, seq }) })),
          ),
        );
      }
      // Started in order without waiting in between: the bus must keep that order per key.
      await Promise.all(batches.map((batch) => bus().publish(topic, batch)));

      const { received, handle } = collector();
      await subscribe({ group: uniqueName('group'), topics: [topic], handle });
      await waitFor('every message delivered', () => assert.equal(received.length, keys.length * perKey));

      const expected = Array.from({ length: perKey }, (_, seq) => seq);
      for (const key of keys) {
        const ofKey = received.filter((message) => message.key === key);
        assert.deepEqual(
          ofKey.map((message) => (JSON.parse(message.value) as { seq: number }).seq),
          expected,
          `order of ${key}`,
        );
        assert.equal(new Set(ofKey.map((message) => message.partition)).size, 1, `${key} stays on one partition`);
      }
      assert.ok(new Set(received.map((message) => message.partition)).size > 1, 'the keys spread over several partitions');
    });

    it('resumes a consumer group after its committed offsets and starts a new group from the beginning', async () => {
      const topic = uniqueName('contract-offsets');
      const group = uniqueName('group');
      await bus().ensureTopics([{ name: topic, partitions: 3 }]);
      const batch = (label: string): OutgoingMessage[] =>
        Array.from({ length: 12 }, (_, index) => ({ key: `stream-${index % 4}`, value: `${label}-${index}` }));
      const first = batch('first');
      const second = batch('second');

      await bus().publish(topic, first);
      const before = collector();
      const firstConsumer = await subscribe({ group, topics: [topic], handle: before.handle });
      await waitFor('the first batch', () => assert.equal(before.received.length, first.length));
      await firstConsumer.stop();

      await bus().publish(topic, second);
      const afterRestart = collector();
      await subscribe({ group, topics: [topic], handle: afterRestart.handle });
      const secondValues = second.map((message) => message.value).sort();
      await waitFor('the second batch after the restart', () => {
        const seen = new Set(values(afterRestart.received));
        assert.ok(secondValues.every((value) => seen.has(value)), `missing some of the second batch: ${[...seen].join(', ')}`);
      });
      // Within a partition a re-delivered first-batch message would have come before the second batch.
      assert.deepEqual(values(afterRestart.received).sort(), secondValues, 'nothing committed is delivered again, nothing is lost');
      assert.equal(before.received.length, first.length, 'a stopped subscription receives nothing');

      const fresh = collector();
      await subscribe({ group: uniqueName('other-group'), topics: [topic], handle: fresh.handle });
      await waitFor('both batches for a new group', () => assert.equal(fresh.received.length, first.length + second.length));
      assert.deepEqual(values(fresh.received).sort(), [...first, ...second].map((message) => message.value).sort());
    });

    it('retries a failing handler in place: later messages of the key wait for it', async () => {
      const topic = uniqueName('contract-retry');
      await bus().ensureTopics([{ name: topic, partitions: 2 }]);
      await bus().publish(
        topic,
        ['one', 'two', 'three'].map((value) => ({ key: 'stream', value })),
      );
      const handled: string[] = [];
      let failures = 0;
      await subscribe({
        group: uniqueName('group'),
        topics: [topic],
        maxAttempts: 3,
        handle: (message) => {
          if (message.value === 'two' && failures < 2) {
            failures += 1;
            return Promise.reject(new Error('projection store busy'));
          }
          handled.push(message.value);
          return Promise.resolve();
        },
      });
      await waitFor('all three handled', () => assert.equal(handled.length, 3));
      assert.deepEqual(handled, ['one', 'two', 'three']);
      assert.equal(failures, 2);
    });

    it('dead-letters a poison message after maxAttempts and goes on with the partition', async () => {
      const topic = uniqueName('contract-poison');
      const group = uniqueName('group');
      await bus().ensureTopics([{ name: topic, partitions: 2 }]);
      await bus().publish(
        topic,
        ['ok-1', 'poison', 'ok-2', 'ok-3'].map((value) => ({ key: 'stream', value, headers: { 'quiver-event-id': `evt-${value}` } })),
      );
      let poisonAttempts = 0;
      const processed: DeliveredMessage[] = [];
      const handle = (message: DeliveredMessage): Promise<void> => {
        if (message.value === 'poison') {
          poisonAttempts += 1;
          return Promise.reject(new Error('cannot project this event'));
        }
        processed.push(message);
        return Promise.resolve();
      };
      const consumer = await subscribe({ group, topics: [topic], maxAttempts: 3, handle });
      const deadLetters = collector();
      await subscribe({ group: uniqueName('dlt-group'), topics: [deadLetterTopic(topic)], handle: deadLetters.handle });

      await waitFor('the rest of the partition and the dead letter', () => {
        assert.deepEqual(values(processed), ['ok-1', 'ok-2', 'ok-3']);
        assert.equal(deadLetters.received.length, 1);
      });
      assert.equal(poisonAttempts, 3);
      const original = processed[0];
      const letter = deadLetters.received[0];
      assert.ok(original && letter);
      assert.equal(letter.key, 'stream');
      assert.equal(letter.value, 'poison');
      assert.equal(letter.headers['quiver-event-id'], 'evt-poison', 'original headers are kept');
      assert.equal(letter.headers[DEAD_LETTER_HEADERS.topic], topic);
      assert.equal(letter.headers[DEAD_LETTER_HEADERS.partition], String(original.partition));
      assert.equal(letter.headers[DEAD_LETTER_HEADERS.offset], '1');
      assert.equal(letter.headers[DEAD_LETTER_HEADERS.attempts], '3');
      assert.match(letter.headers[DEAD_LETTER_HEADERS.error] ?? '', /cannot project this event/);

      // The poison message was committed too: after a restart only new messages arrive.
      await consumer.stop();
      processed.length = 0;
      await bus().publish(topic, [{ key: 'stream', value: 'ok-4' }]);
      await subscribe({ group, topics: [topic], maxAttempts: 3, handle });
      await waitFor('the message published after the restart', () => assert.equal(processed.length, 1));
      assert.deepEqual(values(processed), ['ok-4']);
      assert.equal(poisonAttempts, 3, 'the dead-lettered message is not handled again');
    });
  });
}
