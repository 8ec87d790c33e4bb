import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reviewAccess } from '@quiver/auth-domain';
import { PgDatabase, PgliteDatabase } from '@quiver/shared-data-access-db';
import { accessMigrations } from '@quiver/shared-feature-access';
import type { Database } from '@quiver/shared-ports';
import { requireEnv, uniqueName } from '@quiver/shared-testing';
import { readReviewData } from './review-input.repository.js';

/**
 * The access review's reads against the auth service's real access projection tables, on Postgres
 * and PGlite: a month of state written as the projection holds it, reviewed at the month's end.
 */
const NOW = new Date('2026-12-31T12:00:00Z');
const day = (n: number): Date => new Date(Date.UTC(2026, 11, n, 9));

async function seed(db: Database): Promise<void> {
  const tokens: [string, string, string, Date, Date, Date | null, Date | null, string | null][] = [
    ['tk_busy', 'ci-bot', 'ci', day(1), day(1 + 365), null, day(31), '10.0.0.5'],
    ['tk_never', 'alice', 'personal', day(1), day(90), null, null, null],
    ['tk_stale', 'bob', 'personal', day(1), day(90), null, day(3), '10.0.0.9'],
    ['tk_short', 'carol', 'temporary', day(10), day(38), null, day(30), '10.0.0.7'],
    ['tk_revoked', 'bob', 'personal', day(2), day(90), day(3), null, null],
    ['tk_expired', 'alice', 'temporary', day(1), day(20), null, null, null],
  ];
  for (const [id, principal, kind, issued, expires, revoked, lastUsed, from] of tokens) {
    await db.query(
      `INSERT INTO access_tokens (token_id, principal, sha256, description, issued_at, kind, expires_at, revoked_at, last_used_at, last_used_from)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [id, principal, `sha-${id}`, `${id} description`, issued, kind, expires, revoked, lastUsed, from],
    );
  }
  for (const [principal, role, pattern] of [['group:dev', 'developer', 'acme-*'], ['group:ops', 'admin', '*'], ['ci-bot', 'ci', 'acme-*'], ['ci-bot', 'reader', 'legacy-*']]) {
    await db.query('INSERT INTO access_grants (principal, role, pattern, granted_at) VALUES ($1, $2, $3, $4)', [principal, role, pattern, day(1)]);
  }
  for (const [principal, groups, left] of [['alice', ['dev'], null], ['bob', ['dev'], day(20)], ['carol', ['ops'], null]] as const) {
    await db.query('INSERT INTO access_directory_users (principal, directory_id, username, groups, observed_at, left_at) VALUES ($1, $2, $1, $3, $4, $5)', [principal, `uid=${principal}`, groups, day(1), left]);
  }
  await db.query('UPDATE access_directory SET checked_at = $1 WHERE id = 1', [day(31)]);
}

function suite(name: string, open: () => Promise<Database>): void {
  describe(`access review reads the access projection (${name})`, () => {
    let db: Database;

    before(async () => {
      db = await open();
      await db.migrate(accessMigrations);
      await seed(db);
    });

    after(async () => {
      await db.close();
    });

    it('reads live tokens with last use, grants, directory users and the last directory check', async () => {
      const data = await readReviewData(db, NOW);
      assert.deepEqual(data.tokens.map((token) => token.id).sort(), ['tk_busy', 'tk_never', 'tk_short', 'tk_stale']);
      assert.deepEqual(data.tokens.find((token) => token.id === 'tk_stale'), {
        id: 'tk_stale', principal: 'bob', kind: 'personal', description: 'tk_stale description', issuedAt: day(1), expiresAt: day(90), revokedAt: null, lastUsedAt: day(3), lastUsedFrom: '10.0.0.9',
      });
      assert.deepEqual(data.directoryUsers.find((user) => user.principal === 'bob'), { principal: 'bob', username: 'bob', groups: ['dev'], leftAt: day(20) });
      assert.equal(data.directoryCheckedAt?.toISOString(), day(31).toISOString());
      assert.equal(data.grants.length, 4);
    });

    it('gives the review every flag of the month, at the injected clock', async () => {
      const review = reviewAccess({ now: NOW, unusedDays: 21, projects: ['acme-web'], ...(await readReviewData(db, NOW)) });
      assert.deepEqual(review.counts, { 'never-used': 1, unused: 1, expiring: 1, admin: 1, 'left-directory': 1, 'pattern-matches-nothing': 1 });
      assert.equal(review.directoryCheckedAt, day(31).toISOString());
      assert.deepEqual(review.principals.find((p) => p.name === 'ci-bot')?.tokens.map((t) => `${t.id} ${t.flags.join(',')}`), ['tk_busy ']);
    });
  });
}

suite('Postgres', async () => {
  const url = requireEnv('QUIVER_TEST_PG_URL');
  const schema = uniqueName('review').replaceAll('-', '_');
  const admin = new PgDatabase({ connectionString: url });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.close();
  return new PgDatabase({ connectionString: url, schema });
});

suite('PGlite', () => PgliteDatabase.open());
