import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IdentityEvent } from '@quiver/shared-contracts-identity';
import { decide, EMPTY_PRINCIPAL, evolve, type IdentityCommand, type PrincipalState } from './principal.decider.js';
import type { TokenRequest } from './token-request.js';

const NOW = new Date('2026-12-07T10:00:00.000Z');
const issue = (request: TokenRequest = { description: 'laptop' }): IdentityCommand => ({ type: 'IssueToken', principal: 'u2', tokenId: 't1', sha256: 'a'.repeat(64), request, now: NOW });
const refusal = (command: IdentityCommand, state = EMPTY_PRINCIPAL): string => {
  const decision = decide(command, state);
  return decision.ok ? 'accepted' : decision.message;
};

function run(commands: readonly IdentityCommand[]): { state: PrincipalState; events: IdentityEvent[] } {
  let state = EMPTY_PRINCIPAL;
  const events: IdentityEvent[] = [];
  for (const command of commands) {
    const decision = decide(command, state);
    assert.ok(decision.ok, JSON.stringify(decision));
    events.push(...decision.events);
    state = decision.events.reduce(evolve, state);
  }
  return { state, events };
}

describe('principal decider', () => {
  it('records a grant once, in canonical form, and refuses to revoke one that is not held', () => {
    const grant: IdentityCommand = { type: 'GrantRole', principal: 'u2', role: 'reader', pattern: 'Acme.*' };
    const { state, events } = run([grant, { ...grant, pattern: 'acme-*' }]);
    assert.deepEqual(events, [{ type: 'RoleGranted', schemaVersion: 1, data: { principal: 'u2', role: 'reader', pattern: 'acme-*' } }]);
    const revokeOther = decide({ type: 'RevokeRole', principal: 'u2', role: 'developer', pattern: 'acme-*' }, state);
    assert.deepEqual(revokeOther, { ok: false, code: 'not-found', message: "'u2' has no developer grant on 'acme-*'." });
    const revoke = decide({ type: 'RevokeRole', principal: 'u2', role: 'reader', pattern: 'ACME_*' }, state);
    assert.ok(revoke.ok && revoke.events[0]?.type === 'RoleRevoked');
  });

  it('refuses unknown roles, bad patterns and principal names, and the bootstrap administrator', () => {
    for (const command of [
      { type: 'GrantRole', principal: 'u2', role: 'owner', pattern: '*' },
      { type: 'GrantRole', principal: 'u2', role: 'reader', pattern: 'a*b' },
      { type: 'GrantRole', principal: 'U2', role: 'reader', pattern: '*' },
      { type: 'IssueToken', principal: 'admin', tokenId: 't1', sha256: 'a'.repeat(64), request: {}, now: NOW },
      { type: 'IssueToken', principal: 'u2', tokenId: 't1', sha256: 'a'.repeat(64), request: { description: 'two\nlines' }, now: NOW },
      { type: 'IssueToken', principal: 'group:platform', tokenId: 't1', sha256: 'a'.repeat(64), request: {}, now: NOW },
    ] as const) {
      const decision = decide(command, EMPTY_PRINCIPAL);
      assert.equal(decision.ok ? 'ok' : decision.code, 'invalid', JSON.stringify(command));
    }
  });

  it('revokes a token once and knows only its own tokens', () => {
    const { state } = run([issue()]);
    const revoke: IdentityCommand = { type: 'RevokeToken', principal: 'u2', tokenId: 't1' };
    const first = decide(revoke, state);
    assert.ok(first.ok && first.events.length === 1);
    const after = first.events.reduce(evolve, state);
    assert.deepEqual(decide(revoke, after), { ok: true, events: [] });
    assert.equal(decide({ ...revoke, tokenId: 't2' }, state).ok, false);
  });

  it('gives each kind of token its default life and refuses a longer one naming the limit', () => {
    const { events } = run([issue({ kind: 'ci' })]);
    assert.deepEqual(events, [
      {
        type: 'TokenIssued',
        schemaVersion: 2,
        data: { principal: 'u2', tokenId: 't1', sha256: 'a'.repeat(64), description: '', kind: 'ci', expiresAt: '2027-03-07T10:00:00.000Z', packages: null, permissions: null, usesAllowed: null, cidrs: null, reason: null },
      },
    ]);
    assert.equal(refusal(issue({ expires: '365d' })), 'A personal token lives at most 90 days (90d); 365d is longer.');
    assert.equal(refusal(issue({ kind: 'temporary', expires: '25h' })), 'A temporary token lives at most 1 day (1d); 25h is longer.');
    assert.equal(refusal(issue({ kind: 'ci', expires: '180d' })), 'accepted');
    assert.equal(refusal(issue({ kind: 'emergency' })), 'An emergency token needs a reason (--reason): every use of it is reported.');
    assert.match(refusal(issue({ kind: 'forever' })), /'forever' is not a token kind: use personal, ci, temporary, emergency/);
    assert.match(refusal(issue({ expires: '1y' })), /not a lifetime/);
  });

  it('records restrictions in canonical form and refuses malformed ones', () => {
    const { events } = run([issue({ packages: ['Acme.*', 'other'], permissions: ['install', 'install'], uses: 1, cidrs: ['10.1.2.3/8'], kind: 'emergency', reason: 'prod fix' })]);
    const data = events[0]?.type === 'TokenIssued' ? events[0].data : undefined;
    assert.deepEqual(
      { packages: data?.packages, permissions: data?.permissions, usesAllowed: data?.usesAllowed, cidrs: data?.cidrs, reason: data?.reason, expiresAt: data?.expiresAt },
      { packages: ['acme-*', 'other'], permissions: ['package:install'], usesAllowed: 1, cidrs: ['10.0.0.0/8'], reason: 'prod fix', expiresAt: '2026-12-07T11:00:00.000Z' },
    );
    assert.match(refusal(issue({ packages: ['a*b'] })), /not a package pattern/);
    assert.match(refusal(issue({ permissions: ['root'] })), /'root' is not a permission/);
    assert.match(refusal(issue({ uses: 0 })), /whole number from 1/);
    assert.match(refusal(issue({ cidrs: ['10.0.0.0/33'] })), /not an address range/);
    assert.match(refusal(issue({ packages: [] })), /Give 1 to 50 package patterns/);
  });

  it('rotates a live token to a new secret, the old one valid for the grace at most until the token expires', () => {
    const { state } = run([issue({ kind: 'temporary', expires: '2h' })]);
    const rotate = (graceSeconds: number): Extract<IdentityCommand, { type: 'RotateToken' }> => ({ type: 'RotateToken', principal: 'u2', tokenId: 't1', sha256: 'b'.repeat(64), graceSeconds, now: NOW });
    const rotated = decide(rotate(3600), state);
    assert.deepEqual(rotated, {
      ok: true,
      events: [{ type: 'TokenRotated', schemaVersion: 1, data: { principal: 'u2', tokenId: 't1', sha256: 'b'.repeat(64), previousSha256: 'a'.repeat(64), previousValidUntil: '2026-12-07T11:00:00.000Z' } }],
    });
    const longGrace = decide(rotate(6 * 86_400), state);
    assert.ok(longGrace.ok && longGrace.events[0]?.type === 'TokenRotated' && longGrace.events[0].data.previousValidUntil === '2026-12-07T12:00:00.000Z', 'never beyond the expiry');
    const after = rotated.ok ? rotated.events.reduce(evolve, state) : state;
    assert.equal(after.tokens.get('t1')?.sha256, 'b'.repeat(64));
    assert.match(refusal({ ...rotate(0), now: new Date('2026-12-07T12:00:01.000Z') }, state), /is expired: issue a new one/);
    assert.match(refusal({ ...rotate(0), tokenId: 't2' }, state), /No token 't2'/);
    assert.match(refusal(rotate(8 * 86_400), state), /at most 7 days/);
  });
});
