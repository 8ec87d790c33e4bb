import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeRecordedEvent, type PackageEvent } from '@quiver/shared-contracts-packages';
import type { Database, DeliveredMessage, EventBus } from '@quiver/shared-ports';
import { eventually, uniqueName } from '@quiver/shared-testing';
import { EventStore, StreamConcurrencyError } from './event-store.js';
import { eventStoreMigrations } from './event-store.migrations.js';
import { OutboxRelay } from './outbox-relay.js';

const created = (project: string): PackageEvent => ({ type: 'ProjectCreated', schemaVersion: 1, data: { displayName: project, project } });
const yanked = (project: string, reason: string): PackageEvent => ({ type: 'ReleaseYanked', schemaVersion: 1, data: { project, version: '1.0', reason } });
const actor = { actor: 'test' };

/** The event store and relay on one database adapter; `openBus` is a fresh bus per suite. */
export function eventStoreContract(adapterName: string, openDb: () => Promise<Database>, openBus: () => Promise<EventBus>): void {
  describe(`event store and outbox relay: ${adapterName}`, () => {
    let db: Database;
    let bus: EventBus;
    let store: EventStore;

    before(async () => {
      db = await openDb();
      await db.migrate(eventStoreMigrations);
      bus = await openBus();
      store = new EventStore(db);
    });

    after(async () => {
      await bus.close();
      await db.close();
    });

    it('appends to a stream and reads it back in order with positions and metadata', async () => {
      const result = await store.append('project-a', 0, [created('a'), yanked('a', 'r1')], { actor: 'alice', requestId: 'req-1' });
      assert.equal(result.events.length, 2);
      const { events, version } = await store.readStream('project-a');
      assert.equal(version, 2);
      assert.deepEqual(events.map((event) => event.type), ['ProjectCreated', 'ReleaseYanked']);
      assert.deepEqual(events[0]?.metadata, { actor: 'alice', requestId: 'req-1' });
      assert.ok(BigInt(events[1]?.position ?? 0) > BigInt(events[0]?.position ?? 0));
    });

    it('reads every event back in commit-safe order across pages', async () => {
      const all = [];
      for await (const event of store.readAll(1)) {
        all.push(event);
      }
      const positions = all.map((event) => BigInt(event.position));
      assert.ok(all.length >= 2);
      assert.deepEqual([...positions].sort((a, b) => (a < b ? -1 : 1)), positions);
    });

    it('refuses an append decided on a stale stream version', async () => {
      await store.append('project-b', 0, [created('b')], actor);
      await assert.rejects(store.append('project-b', 0, [created('b')], actor), StreamConcurrencyError);
      assert.equal((await store.readStream('project-b')).version, 1);
    });

    it('writes nothing when the accompanying write fails', async () => {
      await assert.rejects(
        store.append('project-c', 0, [created('c')], actor, async (tx) => {
          await tx.query('SELECT no_such_function()');
        }),
      );
      assert.equal((await store.readStream('project-c')).version, 0);
    });

    it('relays every committed event in stream order and resumes from its checkpoint', async () => {
      const topic = uniqueName('relay');
      await bus.ensureTopics([{ name: topic, partitions: 3 }]);
      const received: DeliveredMessage[] = [];
      const subscription = await bus.subscribe({ group: uniqueName('g'), topics: [topic], handle: (message) => Promise.resolve(void received.push(message)) });
      const relay = new OutboxRelay(db, bus, { name: uniqueName('relay'), topic });
      const total = (await db.query<{ n: string }>('SELECT count(*)::text AS n FROM events')).rows[0]?.n;
      assert.equal(await relay.publishPending(), Number(total));
      assert.equal(await relay.publishPending(), 0, 'nothing is published twice');
      await store.append('project-a', 2, [yanked('a', 'r2')], actor);
      assert.equal(await relay.publishPending(), 1);
      await eventually(() => received.length === Number(total) + 1, { timeoutMs: 30_000, what: 'relayed events delivered' });
      await subscription.stop();
      const streamA = received.map((message) => decodeRecordedEvent(message.value)).filter((event) => event.streamId === 'project-a');
      assert.deepEqual(streamA.map((event) => event.streamVersion), [1, 2, 3]);
      assert.ok(received.every((message) => message.key === decodeRecordedEvent(message.value).streamId));
    });
  });
}
