import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAuditQuery } from './audit-query.js';

describe('parseAuditQuery', () => {
  it('takes every filter, normalises the project name and defaults to 100 oldest-first', () => {
    const parsed = parseAuditQuery({ actor: 'alice', token: 'tk_0123456789abcdef', project: 'Acme_Tools', action: 'file.download', outcome: 'success', since: '2026-12-01', until: '2026-12-07T10:00:00Z', after: '42' });
    assert.deepEqual(parsed, {
      ok: true,
      value: {
        actor: 'alice',
        tokenId: 'tk_0123456789abcdef',
        project: 'acme-tools',
        action: 'file.download',
        outcome: 'success',
        since: new Date('2026-12-01T00:00:00Z'),
        until: new Date('2026-12-07T10:00:00Z'),
        after: 42,
        order: 'asc',
        limit: 100,
      },
    });
    assert.deepEqual(parseAuditQuery({ order: 'desc', before: '10', limit: '1000' }), { ok: true, value: { order: 'desc', before: 10, limit: 1000 } });
  });

  it('refuses bad filters with a message naming each', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ since: 'yesterday' }, /since must be an ISO 8601 time/],
      [{ until: '2026-13-45' }, /until must be an ISO 8601 time/],
      [{ since: '2026-12-02', until: '2026-12-01' }, /since must be before until/],
      [{ action: 'file.steal' }, /action must be one of file.download/],
      [{ outcome: 'maybe' }, /outcome must be one of success, denied, refused, failed/],
      [{ limit: '0' }, /limit must be a whole number from 1 to 1000/],
      [{ limit: '1001' }, /limit must be a whole number from 1 to 1000/],
      [{ after: '-1' }, /after must be an entry's seq/],
      [{ actor: '' }, /actor must be 1 to 200 characters/],
      [{ colour: 'red' }, /Unknown query parameter 'colour'/],
      [{ order: 'desc', after: '3' }, /use before with order=desc/],
    ];
    for (const [query, message] of cases) {
      const parsed = parseAuditQuery(query);
      assert.equal(parsed.ok, false, JSON.stringify(query));
      assert.match(parsed.ok ? '' : parsed.message, message);
    }
  });
});
