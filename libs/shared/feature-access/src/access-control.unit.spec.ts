import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { IdentityEvent, RecordedIdentityEvent, TokenIssued } from '@quiver/shared-contracts-identity';
import { PgliteDatabase } from '@quiver/shared-data-access-db';
import { BOOTSTRAP_ADMIN } from '@quiver/shared-domain-access';
import { generateApiToken, hashApiToken } from '@quiver/shared-util-tokens';
import { AccessControl } from './access-control.js';
import type { PasswordChecker } from './password-check.js';
import { accessMigrations } from './access.migrations.js';
import { applyIdentityEvent } from './access.projection.js';

/** The version is read once per event-loop turn (for every request in it). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let position = 0;
const recorded = (event: IdentityEvent): RecordedIdentityEvent => {
  position += 1;
  return { ...event, eventId: randomUUID(), streamId: 'principal' in event.data ? `principal-${event.data.principal}` : 'directory', streamVersion: position, position: String(position), recordedAt: new Date().toISOString(), metadata: { actor: 'admin' } };
};

const FUTURE = '2999-01-01T00:00:00.000Z';
const issued = (tokenId: string, secret: string, data: Partial<TokenIssued['data']> = {}): IdentityEvent => ({
  type: 'TokenIssued',
  schemaVersion: 2,
  data: { principal: 'u2', tokenId, sha256: hashApiToken(secret), description: '', kind: 'personal', expiresAt: FUTURE, packages: null, permissions: null, usesAllowed: null, cidrs: null, reason: null, ...data },
});

describe('access control over the access projection (PGlite)', () => {
  let db: PgliteDatabase;
  const admin = generateApiToken();
  const token = generateApiToken();
  const apply = (event: IdentityEvent): Promise<boolean> => db.transaction((tx) => applyIdentityEvent(tx, recorded(event)));

  before(async () => {
    db = await PgliteDatabase.open();
    await db.migrate(accessMigrations);
    await apply(issued('tk_1', token));
    await apply({ type: 'RoleGranted', schemaVersion: 1, data: { principal: 'u2', role: 'reader', pattern: 'demo' } });
    await apply({ type: 'RoleGranted', schemaVersion: 1, data: { principal: 'u2', role: 'developer', pattern: 'u2-*' } });
  });

  after(() => db.close());

  it('knows the bootstrap administrator, an issued token with its grants, and nobody else', async () => {
    const access = new AccessControl(db, { bootstrapAdminSha256: hashApiToken(admin), cacheTtlMs: 0 });
    assert.equal(await access.authenticate(admin), BOOTSTRAP_ADMIN);
    const caller = await access.authenticate(token);
    assert.equal(caller?.name, 'u2');
    assert.deepEqual([...(caller?.grants ?? [])].sort((a, b) => a.pattern.localeCompare(b.pattern)), [
      { role: 'reader', pattern: 'demo' },
      { role: 'developer', pattern: 'u2-*' },
    ]);
    assert.equal(await access.authenticate(generateApiToken()), undefined, 'well formed, never issued');
    assert.equal(await access.authenticate('qvr_garbage'), undefined);
    assert.equal(await new AccessControl(db, { cacheTtlMs: 0 }).authenticate(admin), undefined, 'no bootstrap administrator configured');
  });

  it('applies a redelivered event once', async () => {
    const event = recorded({ type: 'RoleGranted', schemaVersion: 1, data: { principal: 'u3', role: 'reader', pattern: '*' } });
    assert.equal(await db.transaction((tx) => applyIdentityEvent(tx, event)), true);
    assert.equal(await db.transaction((tx) => applyIdentityEvent(tx, event)), false);
  });

  it('reuses a verification for its time to live unless told, or (shared projection) until the projection changes', async () => {
    let clock = 0;
    const local = new AccessControl(db, { cacheTtlMs: 1000, now: () => clock });
    const shared = new AccessControl(db, { cacheTtlMs: 1000, now: () => clock, sharedProjection: true });
    assert.equal((await local.authenticate(token))?.grants.length, 2);
    assert.equal((await shared.authenticate(token))?.grants.length, 2);
    // Another process applies a revocation to the same projection; requests after it come in a later turn.
    await apply({ type: 'RoleRevoked', schemaVersion: 1, data: { principal: 'u2', role: 'reader', pattern: 'demo' } });
    await nextTurn();
    assert.equal((await local.authenticate(token))?.grants.length, 2, 'local: still cached');
    assert.equal((await shared.authenticate(token))?.grants.length, 1, 'shared: the version moved, so verified again');
    local.invalidate();
    assert.equal((await local.authenticate(token))?.grants.length, 1, 'local: invalidated by the process that applied it');
    await apply({ type: 'TokenRevoked', schemaVersion: 1, data: { principal: 'u2', tokenId: 'tk_1' } });
    await nextTurn();
    assert.ok(await local.authenticate(token), 'local: cached within the time to live');
    clock = 1000;
    assert.equal(await local.authenticate(token), undefined, 'local: expired, verified again, revoked');
    assert.equal(await shared.authenticate(token), undefined, 'shared: revoked at once');
  });

  it('refuses an expired token, a rotated-out secret after its grace, one from outside its ranges and one used up, naming why', async () => {
    let clock = Date.parse('2026-12-07T10:00:00.000Z');
    let left = 1;
    const access = new AccessControl(db, { cacheTtlMs: 60_000, now: () => clock, useCounter: { take: () => Promise.resolve(left-- > 0) } });
    const [expiring, rotated, ranged, counted] = [generateApiToken(), generateApiToken(), generateApiToken(), generateApiToken()];
    const next = generateApiToken();
    await apply(issued('tk_exp', expiring, { expiresAt: '2026-12-07T10:00:03.000Z', kind: 'temporary' }));
    await apply(issued('tk_rot', rotated));
    await apply({ type: 'TokenRotated', schemaVersion: 1, data: { principal: 'u2', tokenId: 'tk_rot', sha256: hashApiToken(next), previousSha256: hashApiToken(rotated), previousValidUntil: '2026-12-07T10:00:05.000Z' } });
    await apply(issued('tk_cidr', ranged, { cidrs: ['10.0.0.0/8'] }));
    await apply(issued('tk_uses', counted, { usesAllowed: 1, packages: ['demo'], permissions: ['package:install'] }));
    const why = async (secret: string, address = '127.0.0.1'): Promise<string> => {
      const result = await access.authenticateToken(secret, address);
      return result.ok ? `ok ${result.caller.token?.id ?? ''}` : result.refusal;
    };
    assert.equal(await why(expiring), 'ok tk_exp');
    assert.equal(await why(rotated), 'ok tk_rot', 'the old secret within its grace');
    assert.equal(await why(next), 'ok tk_rot', 'the new secret');
    assert.equal(await why(ranged, '10.1.2.3'), 'ok tk_cidr');
    assert.equal(await why(ranged, '::ffff:10.1.2.3'), 'ok tk_cidr');
    assert.equal(await why(ranged, '192.168.0.1'), 'address');
    const first = await access.authenticateToken(counted, '127.0.0.1');
    assert.deepEqual(first.ok ? first.caller.token : undefined, { id: 'tk_uses', kind: 'personal', packages: ['demo'], permissions: ['package:install'] });
    assert.equal(await why(counted), 'used-up');
    clock += 5000; // cached verifications are still within their time to live: expiry is checked anyway
    assert.equal(await why(expiring), 'expired');
    assert.equal(await why(rotated), 'rotated-out');
    assert.equal(await why(next), 'ok tk_rot');
    assert.equal(await why(generateApiToken()), 'unknown');
    await apply({ type: 'TokenRevoked', schemaVersion: 1, data: { principal: 'u2', tokenId: 'tk_cidr' } });
    access.invalidate();
    assert.equal(await why(ranged, '10.1.2.3'), 'revoked');
    assert.equal(await why(counted), 'used-up', 'without a counter that says yes, a limited token is refused');
  });

  it('checks concurrent requests with the same username and password once, and a different password on its own', async () => {
    // The directory's answer is held until every request has arrived, as when a client reads in parallel.
    const asked: string[] = [];
    let answer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const passwords: PasswordChecker = {
      check: async (username, password) => {
        asked.push(`${username}:${password}`);
        await answered;
        return password === 'right' ? { ok: true, principal: 'dana', groups: [] } : { ok: false, refusal: 'invalid' };
      },
    };
    const access = new AccessControl(db, { cacheTtlMs: 0, passwords, passwordCacheMs: 60_000 });
    const reads = [
      ...Array.from({ length: 20 }, () => access.authenticatePassword('dana', 'right', '127.0.0.1')),
      access.authenticatePassword('Dana', 'wrong', '127.0.0.1'),
      access.authenticatePassword('dana', 'wrong', '127.0.0.2'),
    ];
    await nextTurn();
    answer();
    const results = await Promise.all(reads);
    assert.deepEqual(asked, ['dana:right', 'Dana:wrong'], 'one check per distinct password, whatever the case of the name');
    assert.deepEqual(
      results.map((result) => (result.ok ? result.caller.name : result.refusal)),
      [...Array.from({ length: 20 }, () => 'dana'), 'invalid', 'invalid'],
    );
    assert.equal((await access.authenticatePassword('dana', 'right', '127.0.0.1')).ok, true);
    assert.equal(asked.length, 2, 'then from the cache');
    assert.equal((await access.authenticatePassword('dana', 'wrong', '127.0.0.1')).ok, false);
    assert.deepEqual(asked.slice(2), ['dana:wrong'], 'a wrong password is never cached, nor joined once its check is over');
  });

  it('keys what it remembers by the token hash, never by the secret', async () => {
    const access = new AccessControl(db, { cacheTtlMs: 60_000 });
    const secret = generateApiToken();
    await apply(issued('tk_cache', secret));
    assert.ok(await access.authenticate(secret));
    const keys = [...(access as unknown as { verified: Map<string, unknown> }).verified.keys()];
    assert.deepEqual(keys, [hashApiToken(secret)]);
  });
});
