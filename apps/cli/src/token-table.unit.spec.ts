import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenTable } from './token-table.js';

const now = new Date('2026-05-01T12:00:00.000Z');
const base = {
  description: 'laptop',
  issuedAt: '2026-04-01T09:00:00.000Z',
  revokedAt: null,
  packages: null,
  permissions: null,
  usesAllowed: null,
  usesLeft: null,
  cidrs: null,
  reason: null,
  lastUsedAt: null,
  lastUsedFrom: null,
};

describe('quiver CLI: token list as a table', () => {
  it('shows id, principal, kind, expiry, last use and restrictions, one token a row', () => {
    const table = tokenTable(
      {
        tokens: [
          { ...base, id: 'tk_a', principal: 'alice', kind: 'personal', expiresAt: '2026-05-31T09:00:00.000Z', lastUsedAt: '2026-05-01T11:59:30.000Z', lastUsedFrom: '10.1.2.3' },
          {
            ...base,
            id: 'tk_ci',
            principal: 'ci-payments',
            kind: 'ci',
            expiresAt: '2026-04-30T00:00:00.000Z',
            packages: ['payments-*', 'shared'],
            permissions: ['install', 'publish'],
            cidrs: ['10.0.0.0/8'],
          },
          { ...base, id: 'tk_e', principal: 'bob', kind: 'emergency', expiresAt: '2026-05-01T13:00:00.000Z', usesAllowed: 1, usesLeft: 1, reason: 'INC-42', revokedAt: '2026-05-01T12:30:00.000Z' },
          { ...base, id: 'tk_old', principal: 'admin', kind: 'personal', expiresAt: null },
        ],
      },
      now,
    );
    assert.equal(
      table,
      [
        'ID      PRINCIPAL    KIND       EXPIRES                    LAST USED                        RESTRICTIONS',
        'tk_a    alice        personal   2026-05-31 09:00Z          2026-05-01 11:59Z from 10.1.2.3  -',
        'tk_ci   ci-payments  ci         expired 2026-04-30 00:00Z  never                            packages payments-*,shared; permissions install,publish; from 10.0.0.0/8',
        'tk_e    bob          emergency  revoked 2026-05-01 12:30Z  never                            uses 1 of 1 left',
        'tk_old  admin        personal   never                      never                            -',
        '',
      ].join('\n'),
    );
  });

  it('never shows a field it does not know, so never a secret, and no control characters', () => {
    const table = tokenTable({ tokens: [{ ...base, id: 'tk_x', principal: 'a\u001b[2J', kind: 'ci', expiresAt: null, token: 'qvr_leaked', sha256: 'ab' }] }, now);
    assert.doesNotMatch(table, /qvr_leaked/);
    assert.ok(!table.includes('\u001b'), 'no escape character');
    assert.match(table, /a\?\[2J/);
  });

  it('says when there is nothing to list', () => {
    assert.equal(tokenTable({ tokens: [] }, now), 'no tokens\n');
  });
});
