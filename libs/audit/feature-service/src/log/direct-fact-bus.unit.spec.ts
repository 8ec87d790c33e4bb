import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ACCESS_FACTS_TOPIC, decodeAccessFacts, encodeAccessFacts, type AccessRecorded, type TokensUsed } from '@quiver/shared-contracts-identity';
import { InProcessEventBus } from '@quiver/shared-data-access-bus';
import { PgliteDatabase, PgliteWorkerDatabase } from '@quiver/shared-data-access-db';
import type { Database } from '@quiver/shared-ports';
import { auditAppendTasks } from './append-task.js';
import { auditLogMigrations } from './audit-log.migrations.js';
import { DirectFactBus } from './direct-fact-bus.js';

const download = (filename: string): AccessRecorded => ({
  id: randomUUID(),
  type: 'AccessRecorded',
  schemaVersion: 1,
  service: 'index',
  time: new Date().toISOString(),
  action: 'file.download',
  outcome: 'success',
  actor: 'ci-bot',
  tokenId: 'tok-1',
  clientAddress: '127.0.0.1',
  userAgent: 'pip/26',
  project: 'demo',
  version: '1.0',
  filename,
  status: 200,
  reason: null,
  details: {},
});

const used: TokensUsed = { id: randomUUID(), type: 'TokensUsed', schemaVersion: 1, service: 'index', recordedAt: new Date().toISOString(), data: { uses: [{ tokenId: 'tok-1', at: new Date().toISOString(), address: '127.0.0.1' }] } };

const variants = [
  { name: 'appending on this thread', open: () => PgliteDatabase.open(), direct: (db: Database, bus: InProcessEventBus) => DirectFactBus.inThread(db, bus) },
  {
    name: "appending in the audit database's worker thread",
    open: () => PgliteWorkerDatabase.open({ tasks: auditAppendTasks }),
    direct: (db: Database, bus: InProcessEventBus) => DirectFactBus.inWorker(db as PgliteWorkerDatabase, bus),
  },
];

for (const variant of variants) {describe(`DirectFactBus (the embedded journal ships into the audit log), ${variant.name}`, () => {
  let db: Database;
  let bus: InProcessEventBus;
  const seen: string[] = [];

  before(async () => {
    db = await variant.open();
    await db.migrate(auditLogMigrations);
    bus = new InProcessEventBus();
    await bus.ensureTopics([{ name: ACCESS_FACTS_TOPIC, partitions: 1 }]);
    await bus.subscribe({
      group: 'spy',
      topics: [ACCESS_FACTS_TOPIC],
      fromBeginning: true,
      handle: (message) => {
        seen.push(...decodeAccessFacts(message.value).map((fact) => fact.type));
        return Promise.resolve();
      },
    });
  });

  after(async () => {
    await bus.close();
    await db.close();
  });

  it('has the facts committed in the log when publish resolves, and passes the rest on to the bus', async () => {
    const facts = [download('a.whl'), download('b.whl'), download('c.whl')];
    await variant.direct(db, bus).publish(ACCESS_FACTS_TOPIC, [{ key: 'journal', value: encodeAccessFacts([facts[0]!, used, facts[1]!]) }, { key: 'journal', value: encodeAccessFacts([facts[2]!]) }]);
    // No waiting: the journal moves its offset right after this, and a kill -9 then must lose nothing.
    const rows = await db.query<{ fact_id: string }>('SELECT fact_id FROM audit_log ORDER BY seq');
    assert.deepEqual(
      rows.rows.map((row) => row.fact_id),
      facts.map((fact) => fact.id),
    );
    const deadline = Date.now() + 5_000;
    while (seen.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(seen, ['TokensUsed'], 'only the TokensUsed line travels on the in-process bus');
  });

  it('logs a batch shipped twice (the journal retried after a crash) once', async () => {
    const fact = download('d.whl');
    const direct = variant.direct(db, bus);
    await direct.publish(ACCESS_FACTS_TOPIC, [{ key: 'journal', value: encodeAccessFacts([fact]) }]);
    await direct.publish(ACCESS_FACTS_TOPIC, [{ key: 'journal', value: encodeAccessFacts([fact]) }]);
    const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log WHERE fact_id = $1', [fact.id]);
    assert.equal(count.rows[0]?.n, 1);
  });
});}
