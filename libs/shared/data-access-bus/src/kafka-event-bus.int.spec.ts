import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import kafkajs, { type Admin } from 'kafkajs';
import { eventBusContract, eventually, requireEnv, uniqueName } from '@quiver/shared-testing';
import { EventBusUnavailableError } from './bus-errors.js';
import { KafkaEventBus } from './kafka-event-bus.js';

const brokers = (): string[] => requireEnv('QUIVER_TEST_KAFKA_BROKERS').split(',');

eventBusContract('Kafka (kafkajs)', () => Promise.resolve(new KafkaEventBus({ brokers: brokers(), clientId: uniqueName('contract') })));

describe('kafkajs 2.2.4 against the harness broker', () => {
  let admin: Admin;

  before(async () => {
    const client = new kafkajs.Kafka({ clientId: uniqueName('compat'), brokers: brokers(), logLevel: kafkajs.logLevel.NOTHING });
    admin = client.admin();
    await admin.connect();
  });

  after(async () => {
    await admin.disconnect();
  });

  it('negotiates API versions: describes the KRaft cluster and reads topic metadata', async () => {
    const cluster = await admin.describeCluster();
    assert.equal(cluster.brokers.length, 1);
    assert.deepEqual(
      cluster.brokers.map(({ host, port }) => `${host}:${port}`),
      brokers(),
    );
    assert.equal(typeof cluster.clusterId, 'string');
    assert.notEqual(cluster.controller, null);

    const bus = new KafkaEventBus({ brokers: brokers(), clientId: uniqueName('compat') });
    const topic = uniqueName('compat');
    try {
      await bus.ensureTopics([{ name: topic, partitions: 3 }]);
      await bus.ensureTopics([{ name: topic, partitions: 3 }]); // idempotent
    } finally {
      await bus.close();
    }
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic, `${topic}.dlt`] });
    assert.deepEqual(
      topics
        .map(({ name, partitions }) => [name, partitions.length, partitions.every((partition) => partition.leader === 1)])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
      [
        [topic, 3, true],
        [`${topic}.dlt`, 3, true],
      ],
    );
  });

  it('commits offsets where the adapter says: the next offset after each handled message', async () => {
    const bus = new KafkaEventBus({ brokers: brokers(), clientId: uniqueName('offsets') });
    const topic = uniqueName('committed');
    const group = uniqueName('group');
    try {
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      await bus.publish(topic, [1, 2, 3].map((index) => ({ key: 'k', value: String(index) })));
      let handled = 0;
      const subscription = await bus.subscribe({
        group,
        topics: [topic],
        handle: () => {
          handled += 1;
          return Promise.resolve();
        },
      });
      await eventually(() => assert.equal(handled, 3), { timeoutMs: 60_000 });
      await subscription.stop();
      const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      assert.deepEqual(offsets?.partitions.map(({ partition, offset }) => [partition, offset]), [[0, '3']]);
    } finally {
      await bus.close();
    }
  });
});

describe('KafkaEventBus availability', () => {
  it('reports an unreachable broker as EventBusUnavailableError', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const bus = new KafkaEventBus({ brokers: [`127.0.0.1:${port}`], clientId: 'unreachable', connectionTimeoutMs: 500, requestRetries: 1 });
    try {
      await assert.rejects(bus.publish('anything', [{ key: 'k', value: 'v' }]), EventBusUnavailableError);
      await assert.rejects(bus.ensureTopics([{ name: 'anything', partitions: 1 }]), EventBusUnavailableError);
    } finally {
      await bus.close();
    }
  });
});
