import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PgDatabase, PgliteDatabase } from '@quiver/shared-data-access-db';
import type { Database } from '@quiver/shared-ports';
import { requireEnv, uniqueName } from '@quiver/shared-testing';
import { auditLogMigrations } from '../log/audit-log.migrations.js';
import { insertFacts, REPORT_AT, scriptedMonth } from './security-report.script.js';
import { SecurityReports } from './security-reports.js';

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
