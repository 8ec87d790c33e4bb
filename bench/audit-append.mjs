#!/usr/bin/env node
/**
 * What one audit entry costs to append in PGlite, the embedded audit log's database (ADR 21). Run
 * `npm run build` first, then:
 *
 *   node_modules/.bin/node bench/audit-append.mjs [--batches 20] [--batch 500] [--rounds 6] [--drop-secondary-indexes]
 *
 * Opens a fresh on-disk PGlite database with the audit log's migrations, then per round appends
 * `--batches` batches of `--batch` download facts with the writer's own `appendFacts` (one
 * transaction per batch: lock the chain head, skip facts already logged, hash, insert, move the
 * head), and reports wall time and CPU time (user + system, every thread of this process) per
 * entry. With `--drop-secondary-indexes` the time/actor/token/project/action indexes are dropped
 * first (what the queries would lose). CPU, not wall time, is what an append takes from a core that
 * also serves.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, root, scratchDir } from './lib.mjs';

const BATCHES = arg('batches', 20);
const BATCH = arg('batch', 500);
const ROUNDS = arg('rounds', 6);
const DROP = process.argv.includes('--drop-secondary-indexes');

const { PgliteDatabase } = await import(join(root, 'libs/shared/data-access-db/dist/index.js'));
const { auditLogMigrations } = await import(join(root, 'libs/audit/feature-service/dist/log/audit-log.migrations.js'));
const { appendFacts } = await import(join(root, 'libs/audit/feature-service/dist/log/audit-writer.js'));

const work = scratchDir(tmpdir(), 'quiver-bench-audit-append-');
const db = await PgliteDatabase.open({ dataDir: join(work, 'audit') });
await db.migrate(auditLogMigrations);
if (DROP) {
  for (const index of ['audit_log_time', 'audit_log_actor', 'audit_log_token', 'audit_log_project', 'audit_log_action']) {
    await db.query(`DROP INDEX ${index}`);
  }
}

/** A download fact as the index records one (the fields a real one carries, with a real-sized user agent). */
const download = (n) => ({
  id: randomUUID(),
  type: 'AccessRecorded',
  schemaVersion: 1,
  service: 'index',
  time: new Date().toISOString(),
  action: 'file.download',
  outcome: 'success',
  actor: `ci-${n % 50}`,
  tokenId: `tk_${(n % 50).toString(16).padStart(16, '0')}`,
  clientAddress: `10.0.${n % 256}.${(n >> 8) % 256}`,
  userAgent: 'pip/26.3 {"ci":true,"cpu":"x86_64","implementation":{"name":"CPython","version":"3.11.2"}}',
  project: `bench-${n % 200}`,
  version: '1.0.1',
  filename: `bench_${n % 200}-1.0.1-py3-none-any.whl`,
  status: 200,
  reason: null,
  details: { bytes: 1234 },
});

process.stdout.write(`## Audit append cost (bench/audit-append.mjs), ${new Date().toISOString()}\n\n`);
process.stdout.write(`PGlite on disk, ${BATCHES} batches of ${BATCH} per round${DROP ? ', secondary indexes dropped' : ', every index of the migration'}.\n\n`);
process.stdout.write('| round | entries in the log after | wall µs/entry | CPU µs/entry |\n|---|---|---|---|\n');
let n = 0;
for (let round = 1; round <= ROUNDS; round += 1) {
  const batches = Array.from({ length: BATCHES }, () => Array.from({ length: BATCH }, () => download(n++)));
  const began = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (const batch of batches) {
    await appendFacts(db, batch);
  }
  const used = process.cpuUsage(cpu);
  const entries = BATCHES * BATCH;
  const wall = Number(process.hrtime.bigint() - began) / 1000 / entries;
  process.stdout.write(`| ${round} | ${n.toLocaleString('en')} | ${wall.toFixed(1)} | ${((used.user + used.system) / entries).toFixed(1)} |\n`);
}
await db.close();
rmSync(work, { recursive: true, force: true });
