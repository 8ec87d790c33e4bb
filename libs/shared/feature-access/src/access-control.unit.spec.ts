import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { IdentityEvent, RecordedIdentityEvent } from '@quiver/shared-contracts-identity';
import { PgliteDatabase } from '@quiver/shared-data-access-db';
import { BOOTSTRAP_ADMIN } from '@quiver/shared-domain-access';
import { generateApiToken, hashApiToken } from '@quiver/shared-util-tokens';
import { AccessControl } from './access-control.js';
import { accessMigrations } from './access.migrations.js';
import { applyIdentityEvent } from './access.projection.js';

/** The version is read once per event-loop turn (for every request in it). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let position = 0;
const recorded = (event: IdentityEvent): RecordedIdentityEvent => {
  position += 1;
  return { ...event, eventId: randomUUID(), streamId: `principal-${event.data.principal}`, streamVersion: position, position: String(position), recordedAt: new Date().toISOString(), metadata: { actor: 'admin' } };
};

describe('access control over the access projection (PGlite)', () => {
  let db: PgliteDatabase;
  const admin = generateApiToken();
  const token = generateApiToken();
  const apply = (event: IdentityEvent): Promise<boolean> => db.transaction((tx) => applyIdentityEvent(tx, recorded(event)));

  before(async () => {
    db = await PgliteDatabase.open();
    await db.migrate(accessMigrations);
    await apply({ type: 'TokenIssued', schemaVersion: 1, data: { principal: 'u2', tokenId: 'tk_1', sha256: hashApiToken(token), description: '' } });
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
});
