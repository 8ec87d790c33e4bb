import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_YANK_REASON_CHARACTERS, parseYankBody } from './manage-release.request.js';

describe('yank request body', () => {
  it('reads a reason, or none', () => {
    assert.deepEqual(parseYankBody({ reason: 'broken build 🙈' }), { ok: true, reason: 'broken build 🙈' });
    assert.deepEqual(parseYankBody({ reason: '🙈'.repeat(MAX_YANK_REASON_CHARACTERS) }), { ok: true, reason: '🙈'.repeat(MAX_YANK_REASON_CHARACTERS) });
    for (const body of [undefined, null, {}, { reason: null }]) {
      assert.deepEqual(parseYankBody(body), { ok: true, reason: '' }, JSON.stringify(body));
    }
  });

  it('refuses what it cannot store or show, saying what it expected', () => {
    const cases: [unknown, RegExp][] = [
      [{ reason: 'a\u0000b' }, /^'reason' contains control characters/],
      [{ reason: 'escape \u001b[31m' }, /^'reason' contains control characters/],
      [{ reason: 'two\nlines' }, /^'reason' contains control characters/],
      [{ reason: 'delete\u007f' }, /^'reason' contains control characters/],
      [{ reason: 'c1\u0085' }, /^'reason' contains control characters/],
      [{ reason: 'half \ud83d' }, /^'reason' is not well-formed Unicode/],
      [{ reason: 'x'.repeat(MAX_YANK_REASON_CHARACTERS + 1) }, /^'reason' is longer than 500 characters/],
      [{ reason: 42 }, /^'reason' must be a string/],
      [{ reason: 'ok', other: 1 }, /^Unknown field 'other'/],
      [{ 'bad\u0000key': 'x' }, /^Unknown field 'bad\?key'/],
      ['just text', /^The body must be a JSON object/],
      [[{ reason: 'x' }], /^The body must be a JSON object/],
    ];
    for (const [body, expected] of cases) {
      const result = parseYankBody(body);
      assert.ok(!result.ok, JSON.stringify(body));
      assert.match(result.message, expected);
      assert.match(result.message, /Send \{"reason": "why"\}/);
      assert.doesNotMatch(result.message, /\p{Cc}/u, 'the message itself is clean');
    }
  });
});
