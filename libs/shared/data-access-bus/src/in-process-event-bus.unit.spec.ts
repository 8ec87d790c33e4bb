import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

  it('refuses to be used after close', async () => {
    const bus = new InProcessEventBus();
    await bus.close();
    await assert.rejects(bus.ensureTopics([{ name: 't', partitions: 1 }]), /closed/);
  });
});
