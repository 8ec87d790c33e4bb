/**
 * The public audit stream (issue 12, Done-when 3), against the real Kafka and Postgres: the relay
 * publishes audit_log entries to a topic as CloudEvents; the example Python consumer
 * (docs/stream/consume_audit.py, confluent-kafka + jsonschema) reads the real topic from the
 * beginning and validates every record against docs/stream/schemas/audit-event.json.
 *
 * Entries are inserted into audit_log with SQL (the writer is not under test here); each test has
 * its own schema and topic.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import kafkajs from 'kafkajs';
import { AUDIT_STREAM_KEY, auditLogMigrations, auditStreamMigrations, AuditStreamRelay, CLOUDEVENTS_JSON_CONTENT_TYPE } from '@quiver/audit-feature-service';
import { InProcessEventBus, KafkaEventBus } from '@quiver/shared-data-access-bus';
import { PgDatabase, PgliteDatabase } from '@quiver/shared-data-access-db';
import type { Database, DeliveredMessage, EventBus, OutgoingMessage } from '@quiver/shared-ports';
import { eventually, requireEnv, uniqueName } from '@quiver/shared-testing';
import { runPython } from './support/python.js';

const root = join(import.meta.dirname, '..', '..', '..');
const consumerScript = join(root, 'docs', 'stream', 'consume_audit.py');

interface Entry {
  readonly seq: number;
  readonly id: string;
}

/** A bus that hands every publish to `publish` with the real bus's publish as `forward`. */
function interceptedBus(inner: EventBus, publish: (topic: string, messages: readonly OutgoingMessage[], forward: () => Promise<void>, call: number) => Promise<void>): EventBus {
  let calls = 0;
  return {
    ensureTopics: (topics) => inner.ensureTopics(topics),
    publish: (topic, messages) => {
      calls += 1;
      return publish(topic, messages, () => inner.publish(topic, messages), calls);
    },
    subscribe: (options) => inner.subscribe(options),
    close: () => Promise.resolve(),
  };
}

/** Appends `count` entries after the last one, chained by hash, every third without a project. */
async function append(db: Database, count: number): Promise<Entry[]> {
  const entries: Entry[] = [];
  const { rows } = await db.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit_chain_head WHERE id = 1');
  let seq = Number(rows[0]?.seq ?? 0);
  let prev = rows[0]?.hash ?? '0'.repeat(64);
  for (let index = 0; index < count; index += 1) {
    seq += 1;
    const id = randomUUID();
    const hash = createHash('sha256').update(`${prev}|${seq}|${id}`).digest('hex');
    const withProject = seq % 3 !== 0;
    await db.query(
      `INSERT INTO audit_log (seq, fact_id, time, service, action, outcome, actor, token_id, client_address, user_agent, project, version, filename, status, reason, details, prev_hash, hash)
       VALUES ($1, $2, now(), $3, $4, $5, $6, $7, '10.0.0.7', 'pip/26.3', $8, $9, $10, $11, $12, $13::jsonb, $14, $15)`,
      withProject
        ? [seq, id, 'index', 'file.download', 'success', 'ci-bot', 'tok_1', 'demo', '1.0', 'demo-1.0-py3-none-any.whl', 200, null, JSON.stringify({ bytes: 100 + seq }), prev, hash]
        : [seq, id, 'auth', 'auth.login', 'denied', 'alice', null, null, null, null, 401, 'bad-credentials', '{}', prev, hash],
    );
    await db.query('UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1', [seq, hash]);
    entries.push({ seq, id });
    prev = hash;
  }
  return entries;
}

const mark = async (db: Database): Promise<number> => Number((await db.query<{ seq: string }>('SELECT seq::text AS seq FROM audit_stream_mark WHERE id = 1')).rows[0]?.seq);

describe('public audit stream quiver.audit.v1 (real Kafka, real Postgres, Python consumer)', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-audit-stream-'));
  const brokers = (): string => requireEnv('QUIVER_TEST_KAFKA_BROKERS');
  const url = (): string => requireEnv('QUIVER_TEST_PG_URL');
  let admin: PgDatabase;
  let bus: KafkaEventBus;
  const opened: PgDatabase[] = [];
  const warnings: string[] = [];
  const warn = (message: string): void => void warnings.push(message);

  before(() => {
    admin = new PgDatabase({ connectionString: url() });
    bus = new KafkaEventBus({ brokers: brokers().split(','), clientId: uniqueName('audit-stream') });
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });

  after(async () => {
    await bus.close();
    await admin.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** A fresh audit schema (log + stream mark) and topic. */
  async function fresh(): Promise<{ db: PgDatabase; topic: string }> {
    const schema = uniqueName('audit_stream').replaceAll('-', '_');
    await admin.query(`CREATE SCHEMA ${schema}`);
    const db = new PgDatabase({ connectionString: url(), schema });
    opened.push(db);
    await db.migrate([...auditLogMigrations, ...auditStreamMigrations]);
    return { db, topic: uniqueName('quiver.audit.test') };
  }

  /** Runs the example consumer on `topic`; the lines it printed, parsed. */
  async function consume(topic: string, maxEvents: number): Promise<{ code: number | null; output: string; events: Entry[] }> {
    const result = await runPython('python', [consumerScript, '--bootstrap-servers', brokers(), '--topic', topic, '--max-events', String(maxEvents), '--timeout', '90'], { cwd: work });
    const events = [...result.output.matchAll(/^(\d+) \S+ dev\.quiver\.audit\.\S+ actor=.* id=(\S+)$/gm)].map((match) => ({ seq: Number(match[1]), id: String(match[2]) }));
    return { ...result, events };
  }

  it('publishes every entry in seq order; the Python consumer reads the real topic and validates every record', async () => {
    const { db, topic } = await fresh();
    const entries = await append(db, 12);
    const relay = new AuditStreamRelay(db, bus, { topic, batchSize: 3, warn });
    assert.equal(await relay.publishPending(), 12);
    assert.equal(await mark(db), 12);
    assert.equal(await relay.publishPending(), 0, 'nothing new: nothing published');

    const consumed = await consume(topic, 12);
    assert.equal(consumed.code, 0, consumed.output);
    assert.deepEqual(consumed.events, entries, consumed.output);
    assert.match(consumed.output, /^1 \S+ dev\.quiver\.audit\.file\.download actor=ci-bot outcome=success subject=demo id=/m);
    assert.match(consumed.output, /^3 \S+ dev\.quiver\.audit\.auth\.login actor=alice outcome=denied id=/m);
  });

  it('stopped, crashed and restarted relays skip nothing: every id at least once, in order after each replay', async () => {
    const { db, topic } = await fresh();
    const entries = await append(db, 10);

    // A: the second batch reaches Kafka, then the process "dies" before the mark moves.
    const crashing = new AuditStreamRelay(
      db,
      interceptedBus(bus, async (_topic, _messages, forward, call) => {
        await forward();
        if (call === 2) {
          throw new Error('killed between the broker acknowledgement and the mark');
        }
      }),
      { topic, batchSize: 3, warn },
    );
    await assert.rejects(crashing.publishPending(), /killed between/);
    assert.equal(await mark(db), 3);

    // B: stopped while its first batch is in flight; the batch completes, nothing after it starts.
    let stopping: Promise<void> | undefined;
    const stopped = new AuditStreamRelay(
      db,
      interceptedBus(bus, (_topic, _messages, forward) => {
        stopping ??= stopped.stop();
        return forward();
      }),
      { topic, batchSize: 2, intervalMs: 50, warn },
    );
    stopped.start();
    await eventually(() => stopping !== undefined, { what: 'relay B published', timeoutMs: 30_000 });
    await stopping;
    assert.equal(await mark(db), 5);

    // C: restarted on a longer log.
    entries.push(...(await append(db, 2)));
    const restarted = new AuditStreamRelay(db, bus, { topic, intervalMs: 50, warn });
    restarted.start();
    await eventually(async () => (await mark(db)) === 12, { what: 'relay C caught up', timeoutMs: 30_000 });
    await restarted.stop();

    // 1-3, 4-6 (A, unmarked), 4-5 (B), 6-12 (C): 15 records.
    const consumed = await consume(topic, 15);
    assert.equal(consumed.code, 0, consumed.output);
    assert.deepEqual(
      consumed.events.map(({ seq }) => seq),
      [1, 2, 3, 4, 5, 6, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      consumed.output,
    );
    const byId = new Map(entries.map(({ id, seq }) => [id, seq]));
    for (const event of consumed.events) {
      assert.equal(byId.get(event.id), event.seq, 'the same entry always carries the same id');
    }
    assert.deepEqual(new Set(consumed.events.map(({ id }) => id)), new Set(byId.keys()), 'every id at least once');
  });

  it('of two replicas, one publishes a range: the other skips its turn instead of publishing it again', async () => {
    const { db, topic } = await fresh();
    await append(db, 4);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let waiting = false;
    const first = new AuditStreamRelay(
      db,
      interceptedBus(bus, async (_topic, _messages, forward) => {
        waiting = true;
        await gate;
        await forward();
      }),
      { topic, warn },
    );
    const second = new AuditStreamRelay(db, bus, { topic, warn });
    const firstRun = first.publishPending();
    let secondPublished: number;
    try {
      await eventually(() => waiting, { what: 'first replica publishing' });
      secondPublished = await second.publishPending();
    } finally {
      release(); // else the first replica's transaction stays open and the pool never closes
    }
    assert.equal(await firstRun, 4);
    assert.equal(secondPublished, 0, 'the second replica skips while the first holds the mark');
    assert.equal(await second.publishPending(), 0, 'and finds nothing left afterwards');

    const kafkaAdmin = new kafkajs.Kafka({ clientId: uniqueName('audit-stream-admin'), brokers: brokers().split(','), logLevel: kafkajs.logLevel.NOTHING }).admin();
    await kafkaAdmin.connect();
    try {
      const offsets = await kafkaAdmin.fetchTopicOffsets(topic);
      assert.deepEqual(
        offsets.map(({ partition, high }) => [partition, high]),
        [[0, '4']],
        'four records on one partition: no range published twice',
      );
    } finally {
      await kafkaAdmin.disconnect();
    }
  });

  it('the consumer exits non-zero on a malformed event (one record without specversion)', async () => {
    const { db, topic } = await fresh();
    await append(db, 3);
    const relay = new AuditStreamRelay(
      db,
      interceptedBus(bus, (target, messages) => {
        const broken = messages.map((message, index) => {
          if (index !== 1) {
            return message;
          }
          const event = JSON.parse(message.value) as Record<string, unknown>;
          delete event['specversion'];
          return { ...message, value: JSON.stringify(event) };
        });
        return bus.publish(target, broken);
      }),
      { topic, warn },
    );
    assert.equal(await relay.publishPending(), 3);
    const consumed = await consume(topic, 3);
    assert.equal(consumed.code, 1, consumed.output);
    assert.match(consumed.output, new RegExp(`invalid record ${topic.replaceAll('.', '\\.')}\\[0\\]@1: .*specversion`));
    assert.deepEqual(
      consumed.events.map(({ seq }) => seq),
      [1],
      'the record before it was printed, none after',
    );
  });
});

describe('public audit stream in embedded mode (PGlite, in-process bus)', () => {
  it('publishes every entry in order as a valid CloudEvent, once per relay run', async () => {
    const db = await PgliteDatabase.open({});
    const bus = new InProcessEventBus();
    try {
      await db.migrate([...auditLogMigrations, ...auditStreamMigrations]);
      const entries = await append(db, 12);
      const relay = new AuditStreamRelay(db, bus, { batchSize: 5, warn: (message) => assert.fail(message) });
      assert.equal(await relay.publishPending(), 12);
      assert.equal(await new AuditStreamRelay(db, bus, { warn: (message) => assert.fail(message) }).publishPending(), 0, 'a second relay finds nothing left');

      const received: DeliveredMessage[] = [];
      const subscription = await bus.subscribe({ group: 'check', topics: ['quiver.audit.v1'], handle: (message) => Promise.resolve(void received.push(message)) });
      await eventually(() => received.length === 12, { what: '12 events on the in-process bus' });
      await subscription.stop();

      const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
      (addFormatsModule as unknown as FormatsPlugin)(ajv);
      const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'docs', 'stream', 'schemas', 'audit-event.json'), 'utf8')) as object);
      const events = received.map((message) => {
        assert.equal(message.headers['content-type'], CLOUDEVENTS_JSON_CONTENT_TYPE);
        assert.equal(message.key, AUDIT_STREAM_KEY);
        const event = JSON.parse(message.value) as { id: string; data: { seq: number } };
        assert.ok(validate(event), JSON.stringify(validate.errors));
        return { seq: event.data.seq, id: event.id };
      });
      assert.deepEqual(events, entries);
    } finally {
      await bus.close();
      await db.close();
    }
  });
});
