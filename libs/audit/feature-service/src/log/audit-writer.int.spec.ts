import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACCESS_FACTS_TOPIC, encodeAccessFacts, type AccessFact, type AccessRecorded } from '@quiver/shared-contracts-identity';
import { KafkaEventBus } from '@quiver/shared-data-access-bus';
import { PgDatabase } from '@quiver/shared-data-access-db';
import { eventually, requireEnv, uniqueName } from '@quiver/shared-testing';
import { auditLogMigrations } from './audit-log.migrations.js';
import { AuditPruner, pruneLog } from './audit-pruner.js';
import { verifyLog } from './audit-verify.js';
import { appendFacts, AuditWriter } from './audit-writer.js';
import { fact } from './fact.fixture.js';

async function freshSchema(): Promise<{ url: string; schema: string }> {
  const url = requireEnv('QUIVER_TEST_PG_URL');
  const schema = uniqueName('audit').replaceAll('-', '_');
  const admin = new PgDatabase({ connectionString: url });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.close();
  return { url, schema };
}

const facts = (prefix: string, n: number, time = '2026-12-07T10:00:00.000Z'): AccessRecorded[] =>
  Array.from({ length: n }, (_, index) => fact({ id: `${prefix}-${index}`, time, actor: `user-${index % 7}`, details: { n: index } }));

async function seqs(db: PgDatabase): Promise<number[]> {
  return (await db.query<{ seq: string }>('SELECT seq FROM audit_log ORDER BY seq')).rows.map((row) => Number(row.seq));
}

describe('audit writer on Postgres', () => {
  let location: { url: string; schema: string };
  let replicaA: PgDatabase;
  let replicaB: PgDatabase;

  before(async () => {
    location = await freshSchema();
    replicaA = new PgDatabase({ connectionString: location.url, schema: location.schema });
    replicaB = new PgDatabase({ connectionString: location.url, schema: location.schema });
    await Promise.all([replicaA.migrate(auditLogMigrations), replicaB.migrate(auditLogMigrations)]);
  });

  after(async () => {
    await replicaA.close();
    await replicaB.close();
  });

  it('appends a large batch in one go, with a checkpoint every 1000 entries, and it verifies', async () => {
    const result = await appendFacts(replicaA, facts('big', 2500, '2026-01-01T00:00:00.000Z'));
    assert.deepEqual(result, { appended: 2500, headSeq: 2500 });
    const checkpoints = (await replicaA.query<{ seq: string }>('SELECT seq FROM audit_checkpoints ORDER BY seq')).rows.map((row) => Number(row.seq));
    assert.deepEqual(checkpoints, [1000, 2000]);
    assert.deepEqual(await verifyLog(replicaA), { ok: true, count: 2500 });
  });

  it('logs each fact once however often it is delivered, also within one batch', async () => {
    const batch = facts('dup', 30);
    assert.equal((await appendFacts(replicaA, [...batch, ...batch.slice(0, 5)])).appended, 30);
    assert.equal((await appendFacts(replicaB, batch)).appended, 0);
    assert.equal((await appendFacts(replicaA, [...batch.slice(10), ...facts('dup-more', 5)])).appended, 5);
    const count = (await replicaA.query<{ n: string }>("SELECT count(*) AS n FROM audit_log WHERE fact_id LIKE 'dup%'")).rows[0]?.n;
    assert.equal(Number(count), 35);
    assert.deepEqual(await verifyLog(replicaA), { ok: true, count: 2535 });
  });

  it('lets two replicas append at the same time, one after the other, with overlapping facts', async () => {
    const before = (await seqs(replicaA)).length;
    const shared = facts('race', 400);
    const work = (db: PgDatabase, offset: number): Promise<unknown> =>
      Promise.all(Array.from({ length: 20 }, (_, index) => appendFacts(db, shared.slice(((index + offset) % 20) * 20, ((index + offset) % 20) * 20 + 40))));
    await Promise.all([work(replicaA, 0), work(replicaB, 7)]);
    const all = await seqs(replicaA);
    assert.equal(all.length, before + 400, 'every fact once');
    assert.deepEqual(all, Array.from({ length: all.length }, (_, index) => index + 1), 'numbered without gaps');
    assert.deepEqual(await verifyLog(replicaB), { ok: true, count: before + 400 });
  });

  it('prunes only whole stretches up to a checkpoint, and the rest verifies from it', async () => {
    const total = (await seqs(replicaA)).length;
    // Entries 1–2500 are from January; the rest from December. A cutoff in June may delete up to checkpoint 2000 only.
    const result = await pruneLog(replicaA, new Date('2026-06-01T00:00:00Z'));
    assert.deepEqual(result, { deleted: 2000, checkpoint: 2000 });
    assert.equal((await seqs(replicaA))[0], 2001);
    assert.deepEqual(await verifyLog(replicaA), { ok: true, count: total - 2000 });
    assert.deepEqual(await pruneLog(replicaA, new Date('2026-06-01T00:00:00Z')), { deleted: 0 }, 'nothing more until the next checkpoint is old enough');
    await appendFacts(replicaA, facts('after-prune', 10));
    assert.deepEqual(await verifyLog(replicaA), { ok: true, count: total - 2000 + 10 });
  });

  it('prunes on the injected clock: QUIVER_AUDIT_RETENTION_DAYS before its now', async () => {
    const remaining = (await seqs(replicaA)).length;
    // Everything from December 2026 up to entry 3000 becomes prunable once the clock says 2027-02.
    await appendFacts(replicaA, facts('filler', 3000 - ((await seqs(replicaA)).at(-1) ?? 0)));
    const clock = { now: new Date('2026-12-20T00:00:00Z') };
    const pruner = new AuditPruner(replicaA, 30, () => clock.now);
    assert.deepEqual(await pruner.runOnce(), { deleted: 0 }, '13 days after: nothing is 30 days old');
    clock.now = new Date('2027-02-01T00:00:00Z');
    assert.deepEqual(await pruner.runOnce(), { deleted: 1000, checkpoint: 3000 });
    await pruner.stop();
    assert.deepEqual(await verifyLog(replicaA), { ok: true, count: 0 }, 'pruned up to the head: nothing left, and that verifies');
    assert.ok(remaining > 0);
  });

  it('names a changed row in the database', async () => {
    await appendFacts(replicaA, facts('after-clock', 200));
    await replicaA.query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3100");
    const verdict = await verifyLog(replicaA);
    assert.deepEqual(!verdict.ok && { seq: verdict.firstBroken.seq, reason: verdict.firstBroken.reason }, { seq: 3100, reason: 'changed' });
  });
});

describe('audit writer from Kafka', () => {
  it('two writers in one group log every AccessRecorded fact once, though messages come twice', async () => {
    const location = await freshSchema();
    const topicSuffix = uniqueName('g');
    const dbs = [new PgDatabase({ connectionString: location.url, schema: location.schema }), new PgDatabase({ connectionString: location.url, schema: location.schema })];
    const brokers = requireEnv('QUIVER_TEST_KAFKA_BROKERS').split(',');
    const buses = [new KafkaEventBus({ brokers, clientId: `${topicSuffix}-a` }), new KafkaEventBus({ brokers, clientId: `${topicSuffix}-b` })];
    const writers = dbs.map((db, index) => new AuditWriter(db, buses[index] as KafkaEventBus, `quiver-audit-log-${topicSuffix}`));
    try {
      await dbs[0]?.migrate(auditLogMigrations);
      await Promise.all(writers.map((writer) => writer.start()));
      const prefix = uniqueName('kafka');
      const recorded = facts(prefix, 600);
      const tokensUsed: AccessFact = { id: `${prefix}-uses`, type: 'TokensUsed', schemaVersion: 1, service: 'index', recordedAt: '2026-12-07T10:00:00.000Z', data: { uses: [] } };
      const messages = Array.from({ length: 30 }, (_, index) => ({ key: `k${index % 5}`, value: encodeAccessFacts([...recorded.slice(index * 20, index * 20 + 20), tokensUsed]) }));
      await buses[0]?.publish(ACCESS_FACTS_TOPIC, messages);
      await buses[1]?.publish(ACCESS_FACTS_TOPIC, messages.slice(0, 10)); // delivered again
      const db = dbs[0] as PgDatabase;
      await eventually(async () => {
        const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log WHERE fact_id LIKE $1', [`${prefix}-%`]);
        assert.equal(Number(rows[0]?.n), 600);
      }, { timeoutMs: 60_000, what: 'all 600 facts logged' });
      assert.equal((await db.query('SELECT 1 FROM audit_log WHERE fact_id = $1', [`${prefix}-uses`])).rowCount, 0, 'TokensUsed is not an audit entry');
      const verdict = await verifyLog(db);
      assert.equal(verdict.ok, true);
    } finally {
      await Promise.all(writers.map((writer) => writer.stop()));
      await Promise.all(buses.map((bus) => bus.close()));
      await Promise.all(dbs.map((db) => db.close()));
    }
  });
});
