import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PgDatabase } from '@quiver/shared-data-access-db';
import { InProcessEventBus, KafkaEventBus } from '@quiver/shared-data-access-bus';
import type { PackageEvent } from '@quiver/shared-contracts-packages';
import { requireEnv, uniqueName } from '@quiver/shared-testing';
import { eventStoreContract } from './event-store.contract.js';
import { EventStore } from './event-store.js';
import { eventStoreMigrations } from './event-store.migrations.js';
import { OutboxRelay } from './outbox-relay.js';

async function freshSchema(): Promise<{ url: string; schema: string }> {
  const url = requireEnv('QUIVER_TEST_PG_URL');
  const schema = uniqueName('es').replaceAll('-', '_');
  const admin = new PgDatabase({ connectionString: url });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.close();
  return { url, schema };
}

eventStoreContract(
  'Postgres + Kafka',
  async () => {
    const { url, schema } = await freshSchema();
    return new PgDatabase({ connectionString: url, schema });
  },
  () => Promise.resolve(new KafkaEventBus({ brokers: requireEnv('QUIVER_TEST_KAFKA_BROKERS').split(','), clientId: uniqueName('es') })),
);

describe('outbox relay under out-of-order commits (RELIABILITY F9)', () => {
  let db: PgDatabase;
  let raw: pg.Client;
  let schema: string;

  before(async () => {
    const fresh = await freshSchema();
    schema = fresh.schema;
    db = new PgDatabase({ connectionString: fresh.url, schema });
    await db.migrate(eventStoreMigrations);
    raw = new pg.Client({ connectionString: fresh.url, options: `-c search_path=${schema}` });
    await raw.connect();
  });

  after(async () => {
    await raw.end();
    await db.close();
  });

  it('publishes an event whose transaction took an earlier position but committed later', async () => {
    const bus = new InProcessEventBus();
    const topic = uniqueName('gap');
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    const published: string[] = [];
    const subscription = await bus.subscribe({ group: 'g', topics: [topic], handle: (message) => Promise.resolve(void published.push(message.key)) });
    const relay = new OutboxRelay(db, bus, { name: 'gap', topic });
    const store = new EventStore(db);
    const event: PackageEvent = { type: 'ProjectCreated', schemaVersion: 1, data: { displayName: 'x', project: 'x' } };

    // T1 takes the earlier position and stays open.
    await raw.query('BEGIN');
    await raw.query(
      `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, data, metadata)
       VALUES (gen_random_uuid(), 'project-slow', 1, 'ProjectCreated', 1, '{"displayName":"slow","project":"slow"}', '{"actor":"t"}')`,
    );
    // T2 takes a later position and commits first.
    await store.append('project-fast', 0, [event], { actor: 't' });
    assert.equal(await relay.publishPending(), 0, 'nothing may pass the open transaction');
    await raw.query('COMMIT');
    assert.equal(await relay.publishPending(), 2);
    assert.equal(await relay.publishPending(), 0);
    await subscription.stop();
    await bus.close();
  });
});
