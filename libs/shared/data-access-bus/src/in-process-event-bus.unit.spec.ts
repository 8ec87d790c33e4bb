import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeliveredMessage } from '@quiver/shared-ports';
import { eventBusContract, eventually, uniqueName } from '@quiver/shared-testing';
import { InProcessEventBus } from './in-process-event-bus.js';

eventBusContract('in-process', () => Promise.resolve(new InProcessEventBus()));

describe('InProcessEventBus specifics', () => {
  it('never calls a handler synchronously inside publish', async () => {
    const bus = new InProcessEventBus();
    const topic = uniqueName('sync');
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    let calls = 0;
    await bus.subscribe({
      group: 'g',
      topics: [topic],
      handle: () => {
        calls += 1;
        return Promise.resolve();
      },
    });
    const published = bus.publish(topic, [{ key: 'k', value: 'v' }]);
    assert.equal(calls, 0);
    await published;
    await eventually(() => assert.equal(calls, 1));
    await bus.close();
  });

  it('rejects publishing to, or subscribing to, a topic that was never ensured', async () => {
    const bus = new InProcessEventBus();
    await assert.rejects(bus.publish('missing', [{ key: 'k', value: 'v' }]), /Unknown topic 'missing'/);
    await assert.rejects(bus.subscribe({ group: 'g', topics: ['missing'], handle: () => Promise.resolve() }), /Unknown topic/);
    await bus.close();
  });

  it('shares partitions among the subscriptions of one group and hands them over when one stops', async () => {
    const bus = new InProcessEventBus();
    const topic = uniqueName('shared');
    await bus.ensureTopics([{ name: topic, partitions: 4 }]);
    const seen = new Map<string, number>();
    const byA: number[] = [];
    const byB: number[] = [];
    const handler = (sink: number[]) => (message: { partition: number; value: string }) => {
      sink.push(message.partition);
      seen.set(message.value, (seen.get(message.value) ?? 0) + 1);
      return Promise.resolve();
    };
    const a = await bus.subscribe({ group: 'g', topics: [topic], handle: handler(byA) });
    await bus.subscribe({ group: 'g', topics: [topic], handle: handler(byB) });
    const messages = Array.from({ length: 40 }, (_, index) => ({ key: `k${index}`, value: `v${index}` }));
    await bus.publish(topic, messages);
    await eventually(() => assert.equal(seen.size, 40));
    assert.ok(byA.length > 0 && byB.length > 0, 'both members got partitions');
    assert.equal(new Set([...byA, ...byB]).size, 4);
    assert.ok(!byA.some((partition) => byB.includes(partition)), 'each partition has one owner');

    await a.stop();
    await bus.publish(topic, messages.map((message) => ({ ...message, value: `${message.value}-again` })));
    await eventually(() => assert.equal(seen.size, 80));
    assert.ok([...seen.values()].every((count) => count === 1), 'nothing delivered twice');
    await bus.close();
  });

  it('drops what every following group consumed, keeping the newest retainConsumed for a group that joins later', async () => {
    const bus = new InProcessEventBus({ retainConsumed: 100 });
    const topic = uniqueName('retention');
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    let consumed = 0;
    await bus.subscribe({ group: 'projection', topics: [topic], handle: () => Promise.resolve(void (consumed += 1)) });
    for (let i = 0; i < 5_000; i += 100) {
      await bus.publish(topic, Array.from({ length: 100 }, (_, j) => ({ key: 'k', value: String(i + j) })));
    }
    await eventually(() => assert.equal(consumed, 5_000));
    const late: DeliveredMessage[] = [];
    await bus.subscribe({ group: 'late', topics: [topic], handle: (message) => Promise.resolve(void late.push(message)) });
    await eventually(() => assert.equal(late.at(-1)?.value, '4999'));
    // Kept: the newest 100, plus at most one trimming chunk (256) not yet dropped.
    assert.ok(late.length >= 100 && late.length < 100 + 256, `a late group got ${late.length} messages`);
    late.forEach((message, i) => assert.equal(Number(message.offset), 5_000 - late.length + i, 'offsets stay absolute and contiguous'));
    assert.deepEqual(late.map((m) => m.value), late.map((m) => m.offset));
    await bus.close();
  });

  it('never drops a message a following group has not consumed, even while another group races ahead', async () => {
    const bus = new InProcessEventBus({ retainConsumed: 0 });
    const topic = uniqueName('retention-lag');
    await bus.ensureTopics([{ name: topic, partitions: 2 }]);
    const slow: string[] = [];
    const slowSubscription = await bus.subscribe({ group: 'slow', topics: [topic], handle: (message) => Promise.resolve(void slow.push(message.value)) });
    await bus.publish(topic, [{ key: 'a', value: 'before' }]);
    await eventually(() => assert.deepEqual(slow, ['before']));
    await slowSubscription.stop(); // the slow group's offsets stay; it is behind from here on
    let fast = 0;
    await bus.subscribe({ group: 'fast', topics: [topic], handle: () => Promise.resolve(void (fast += 1)) });
    const values = Array.from({ length: 3_000 }, (_, i) => `m${i}`);
    await bus.publish(topic, values.map((value, i) => ({ key: `k${i % 7}`, value })));
    await eventually(() => assert.equal(fast, 3_001));
    await bus.subscribe({ group: 'slow', topics: [topic], handle: (message) => Promise.resolve(void slow.push(message.value)) });
    await eventually(() => assert.equal(slow.length, 3_001));
    assert.deepEqual([...slow].sort(), ['before', ...values].sort(), 'every message, once');
    await bus.close();
  });

  it('refuses to be used after close', async () => {
    const bus = new InProcessEventBus();
    await bus.close();
    await assert.rejects(bus.ensureTopics([{ name: 't', partitions: 1 }]), /closed/);
  });
});
