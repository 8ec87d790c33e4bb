import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACCESS_FACTS_TOPIC, decodeAccessFacts, type AccessFact } from '@quiver/shared-contracts-identity';
import { InProcessEventBus } from '@quiver/shared-data-access-bus';
import { PgDatabase, PgliteDatabase } from '@quiver/shared-data-access-db';
import type { Database } from '@quiver/shared-ports';
import { eventually, requireEnv, uniqueName } from '@quiver/shared-testing';
import { nextReportRun, parseReportSchedule, reportPeriodMs } from '@quiver/shared-util-config';
import { auditLogMigrations } from '../log/audit-log.migrations.js';
import { insertFacts, REPORT_AT, scriptedMonth } from './security-report.script.js';
import { scheduledSecurityReport, SecurityReports } from './security-reports.js';

/** The same scripted month against real Postgres and PGlite: one SQL, the same report. */
function securityReportSuite(name: string, open: () => Promise<Database>): void {
  describe(`security report over a scripted month (${name})`, () => {
    let db: Database;
    let reports: SecurityReports;

    before(async () => {
      db = await open();
      await db.migrate(auditLogMigrations);
      await insertFacts(db, scriptedMonth());
      reports = new SecurityReports({ database: db, clock: () => REPORT_AT });
    });

    after(async () => {
      await db.close();
    });

    it('covers the last 7 days by default and refuses a window it cannot read', async () => {
      const report = await reports.report(undefined);
      assert.equal(report?.since, '2026-12-22T00:00:00.000Z');
      assert.equal(report?.until, REPORT_AT.toISOString());
      assert.equal(await reports.report('yesterday'), undefined);
      assert.equal(await reports.report('2027-01-01T00:00:00Z'), undefined, 'a window starting in the future');
    });

    it('lists failed sign-ins by user and by address, only those in the window', async () => {
      const report = await reports.report('7d');
      assert.deepEqual(report?.failedSignIns.byUser, [
        { actor: 'alice', count: 6, addresses: ['10.1.1.1'] },
        { actor: 'mallory', count: 1, addresses: ['10.6.6.6'] },
        { actor: 'root', count: 1, addresses: ['10.6.6.6'] },
      ]);
      assert.deepEqual(report?.failedSignIns.byAddress, [
        { clientAddress: '10.1.1.1', count: 6, users: ['alice'] },
        { clientAddress: '10.6.6.6', count: 2, users: ['mallory', 'root'] },
      ]);
    });

    it('lists denials by actor and address with their statuses and reasons', async () => {
      const report = await reports.report('7d');
      assert.deepEqual(report?.denials, [
        { actor: 'anonymous', clientAddress: '10.2.2.2', unauthorized: 2, forbidden: 0, reasons: ['revoked-token'] },
        { actor: 'bob', clientAddress: '10.2.2.3', unauthorized: 0, forbidden: 1, reasons: ['forbidden'] },
      ]);
    });

    it('lists every emergency-token use in the window', async () => {
      const report = await reports.report('7d');
      assert.deepEqual(report?.emergencyTokenUses.map((use) => `${use.tokenId} ${use.actor} ${use.clientAddress} ${use.time}`), ['tk_emergency ops 10.3.3.3 2026-12-25T03:00:00.000Z']);
    });

    it('flags the token downloading far more than its own history, not the steady or small ones', async () => {
      const report = await reports.report('7d');
      assert.deepEqual(report?.heavyDownloads, [{ tokenId: 'tk_scraper', actor: 'eve', downloads: 60, previousDownloads: 8, previousAverage: 2 }]);
    });

    it('flags a token used from an address not seen for it before, not a brand-new token', async () => {
      const report = await reports.report('7d');
      assert.deepEqual(report?.newAddresses, [{ tokenId: 'tk_laptop', actor: 'frank', clientAddress: '203.0.113.9', firstSeen: '2026-12-27T22:00:00.000Z', uses: 1 }]);
      assert.deepEqual(report?.counts, { failedSignIns: 8, denials: 3, emergencyTokenUses: 1, heavyDownloads: 1, newAddresses: 1 });
    });

    it('publishes a scheduled run as one report.published fact, the same id from every replica', async () => {
      const bus = new InProcessEventBus();
      const seen: AccessFact[] = [];
      await bus.ensureTopics([{ name: ACCESS_FACTS_TOPIC, partitions: 1 }]);
      const subscription = await bus.subscribe({ group: 'audit-log', topics: [ACCESS_FACTS_TOPIC], handle: (message) => Promise.resolve(void seen.push(...decodeAccessFacts(message.value))) });
      const week = { next: () => undefined, periodMs: 7 * 86_400_000 };
      const [one, two] = [scheduledSecurityReport(reports, bus, week), scheduledSecurityReport(reports, bus, week)];
      await Promise.all([one.runAt(REPORT_AT), two.runAt(REPORT_AT)]);
      await eventually(() => seen.length === 2);
      await subscription.stop();
      await bus.close();
      const [fact, twin] = seen;
      assert.ok(fact?.type === 'AccessRecorded' && twin?.type === 'AccessRecorded');
      assert.equal(fact.id, twin.id, 'replicas make the same fact id, so the log keeps one');
      assert.equal(fact.action, 'report.published');
      assert.equal(fact.actor, 'system:security-report');
      assert.equal(fact.time, REPORT_AT.toISOString());
      assert.deepEqual(
        { ...fact.details, findings: JSON.parse(String(fact.details['findings'])) as unknown },
        {
          report: 'security-report',
          since: '2026-12-22T00:00:00.000Z',
          until: REPORT_AT.toISOString(),
          'count.failedSignIns': 8,
          'count.denials': 3,
          'count.emergencyTokenUses': 1,
          'count.heavyDownloads': 1,
          'count.newAddresses': 1,
          findings: [
            'failed sign-ins: alice x6',
            'failed sign-ins: mallory x1',
            'failed sign-ins: root x1',
            'failed sign-ins from 10.1.1.1 x6',
            'failed sign-ins from 10.6.6.6 x2',
            'denied: anonymous from 10.2.2.2 (401 x2, 403 x0)',
            'denied: bob from 10.2.2.3 (401 x0, 403 x1)',
            'emergency token tk_emergency (ops) used at 2026-12-25T03:00:00.000Z from 10.3.3.3',
            'token tk_scraper (eve) downloaded 60 files, 2 per window before',
            'token tk_laptop (frank) used from new address 203.0.113.9',
          ],
          truncated: 0,
        },
      );
    });

    it('runs on its schedule by the injected clock: once at the scheduled moment, then not again before the next', async () => {
      const bus = new InProcessEventBus();
      const seen: AccessFact[] = [];
      await bus.ensureTopics([{ name: ACCESS_FACTS_TOPIC, partitions: 1 }]);
      const subscription = await bus.subscribe({ group: 'audit-log', topics: [ACCESS_FACTS_TOPIC], handle: (message) => Promise.resolve(void seen.push(...decodeAccessFacts(message.value))) });
      const daily = parseReportSchedule('daily@00:00');
      assert.ok(daily.ok);
      // The clock stands 50 ms before the scheduled moment; the run covers the day before it.
      const scheduled = scheduledSecurityReport(reports, bus, { next: (after) => nextReportRun(daily.schedule, after), periodMs: reportPeriodMs(daily.schedule) }, { clock: () => new Date(REPORT_AT.getTime() - 50) });
      scheduled.start();
      try {
        assert.equal(scheduled.nextRunAt?.toISOString(), REPORT_AT.toISOString());
        await eventually(() => seen.length === 1, { what: 'the scheduled run' });
        // Armed for the next day, although the injected clock still stands before this run.
        await eventually(() => scheduled.nextRunAt?.toISOString() === '2026-12-30T00:00:00.000Z', { what: 'the next run armed' });
      } finally {
        await scheduled.stop();
        await subscription.stop();
        await bus.close();
      }
      assert.equal(seen.length, 1, 'one run: the next is a day later');
      const [fact] = seen;
      assert.ok(fact?.type === 'AccessRecorded');
      assert.equal(fact.time, REPORT_AT.toISOString());
      assert.equal(fact.details['since'], '2026-12-28T00:00:00.000Z');
    });

    it('finds nothing in a quiet window', async () => {
      const quiet = await new SecurityReports({ database: db, clock: () => new Date('2026-12-12T00:00:00Z') }).report('1d');
      assert.deepEqual(quiet?.counts, { failedSignIns: 0, denials: 0, emergencyTokenUses: 0, heavyDownloads: 0, newAddresses: 0 });
    });
  });
}

securityReportSuite('Postgres', async () => {
  const url = requireEnv('QUIVER_TEST_PG_URL');
  const schema = uniqueName('secreport').replaceAll('-', '_');
  const admin = new PgDatabase({ connectionString: url });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.close();
  return new PgDatabase({ connectionString: url, schema });
});

securityReportSuite('PGlite', () => PgliteDatabase.open());
