import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IdentityEvent } from '@quiver/shared-contracts-identity';
import { decide, EMPTY_PRINCIPAL, evolve, type IdentityCommand, type PrincipalState } from './principal.decider.js';

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
      { type: 'IssueToken', principal: 'admin', tokenId: 't1', sha256: 'a'.repeat(64), description: '' },
      { type: 'IssueToken', principal: 'u2', tokenId: 't1', sha256: 'a'.repeat(64), description: 'two\nlines' },
    ] as const) {
      const decision = decide(command, EMPTY_PRINCIPAL);
      assert.equal(decision.ok ? 'ok' : decision.code, 'invalid', JSON.stringify(command));
    }
  });

  it('revokes a token once and knows only its own tokens', () => {
    const { state } = run([{ type: 'IssueToken', principal: 'u2', tokenId: 't1', sha256: 'a'.repeat(64), description: 'laptop' }]);
    const revoke: IdentityCommand = { type: 'RevokeToken', principal: 'u2', tokenId: 't1' };
    const first = decide(revoke, state);
    assert.ok(first.ok && first.events.length === 1);
    const after = first.events.reduce(evolve, state);
    assert.deepEqual(decide(revoke, after), { ok: true, events: [] });
    assert.equal(decide({ ...revoke, tokenId: 't2' }, state).ok, false);
  });
});
