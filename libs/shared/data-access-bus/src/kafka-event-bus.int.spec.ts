import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import kafkajs, { type Admin, type ISocketFactory } from 'kafkajs';
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

/** Kafka's request header starts with the size (int32), then the API key (int16); Produce is 0. */
const isProduceRequest = (chunk: unknown): boolean => Buffer.isBuffer(chunk) && chunk.length >= 6 && chunk.readInt16BE(4) === 0;

/**
 * Plain TCP to the broker, except that while `losing` is set the answer to a produce request never
 * reaches kafkajs: the connection drops when it arrives. The broker has appended the batch by then,
 * as when it is killed between the append and the answer.
 */
function answerLosingSockets(): { readonly factory: ISocketFactory; losing: boolean; lost: number } {
  const fault = { losing: false, lost: 0 };
  const factory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket: Socket = connect({ host, port }, onConnect);
    let producing = false;
    const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
    socket.write = (chunk: unknown, ...rest: unknown[]) => {
      producing ||= isProduceRequest(chunk);
      return write(chunk, ...rest);
    };
    const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'data' && producing && fault.losing) {
        fault.lost += 1;
        socket.destroy(new Error('connection lost before the produce answer (test fault)'));
        return true;
      }
      if (event === 'data') {
        producing = false;
      }
      return emit(event, ...args);
    }) as Socket['emit'];
    return socket;
  };
  return Object.assign(fault, { factory });
}

describe('KafkaEventBus when the answer to a produce request is lost (RELIABILITY F1)', () => {
  /** Publishes `before`, loses the answer to `lost`, then publishes each of `after`; returns the partition's values in order. */
  async function publishAcrossALostAnswer(before: string[], lost: string[], after: string[][]): Promise<string[]> {
    const fault = answerLosingSockets();
    const bus = new KafkaEventBus({ brokers: brokers(), clientId: uniqueName('lost-answer'), requestRetries: 1, socketFactory: fault.factory });
    const topic = uniqueName('lost-answer');
    const message = (value: string): { key: string; value: string } => ({ key: 'one-partition', value });
    try {
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      await bus.publish(topic, before.map(message));
      fault.losing = true;
      await assert.rejects(bus.publish(topic, lost.map(message)), 'the send fails: kafkajs never saw the answer');
      fault.losing = false;
      assert.ok(fault.lost >= 1, 'an answer was lost');
      for (const batch of after) {
        await bus.publish(topic, batch.map(message));
      }
      const values: string[] = [];
      const last = after.at(-1)?.at(-1);
      const subscription = await bus.subscribe({
        group: uniqueName('lost-answer-reader'),
        topics: [topic],
        handle: (delivered) => {
          values.push(delivered.value);
          return Promise.resolve();
        },
      });
      await eventually(() => assert.ok(values.includes(last ?? ''), `${last} delivered`), { timeoutMs: 60_000 });
      await subscription.stop();
      return values;
    } finally {
      await bus.close();
    }
  }

  it('stores the next batch of the same length, not taking it for a duplicate of the lost one', async () => {
    const values = await publishAcrossALostAnswer(['a'], ['b'], [['c'], ['d', 'e']]);
    assert.deepEqual(values.filter((value) => value !== 'b'), ['a', 'c', 'd', 'e'], 'nothing acknowledged is missing');
    assert.ok(values.includes('b'), 'the broker kept the batch whose answer was lost (at-least-once)');
  });

  it('takes the next batch of another length instead of refusing it as out of order', async () => {
    const values = await publishAcrossALostAnswer(['a'], ['b'], [['b', 'c'], ['d']]);
    assert.deepEqual(values.filter((value) => value !== 'b'), ['a', 'c', 'd']);
  });
});
