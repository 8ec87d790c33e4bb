import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AccessRecorded } from '@quiver/shared-contracts-identity';
import { fact } from './fact.fixture.js';
import { canonicalEntry, entryFieldsOf, entryHash, GENESIS_HASH } from './entry-hash.js';

describe('entryHash', () => {
  it('is the sha256 of the previous hash and the canonical entry, in lowercase hex', () => {
    const fields = entryFieldsOf(fact());
    const expected = createHash('sha256').update(`${GENESIS_HASH}\n${canonicalEntry(fields)}`).digest('hex');
    assert.equal(entryHash(GENESIS_HASH, fields), expected);
    assert.match(expected, /^[0-9a-f]{64}$/);
  });

  it('does not depend on the order of the details keys (jsonb reorders them)', () => {
    const a = entryFieldsOf(fact({ details: { bytes: 1234, cached: true } }));
    const b = entryFieldsOf(fact({ details: { cached: true, bytes: 1234 } }));
    assert.equal(entryHash(GENESIS_HASH, a), entryHash(GENESIS_HASH, b));
  });

  it('reads a time in any offset as the same UTC instant, with milliseconds', () => {
    assert.equal(entryFieldsOf(fact({ time: '2026-12-07T11:00:00.123+01:00' })).time, '2026-12-07T10:00:00.123Z');
    assert.equal(entryHash('a'.repeat(64), entryFieldsOf(fact({ time: '2026-12-07T11:00:00.123+01:00' }))), entryHash('a'.repeat(64), entryFieldsOf(fact())));
  });

  it('changes with every field, with the previous hash, and tells null from an empty string', () => {
    const base = entryHash(GENESIS_HASH, entryFieldsOf(fact()));
    const variants: Partial<AccessRecorded>[] = [
      { id: 'other' },
      { time: '2026-12-07T10:00:00.124Z' },
      { service: 'upload' },
      { action: 'metadata.download' },
      { outcome: 'denied' },
      { actor: 'mallory' },
      { tokenId: null },
      { clientAddress: '10.1.2.4' },
      { userAgent: '' },
      { project: 'acme-tool' },
      { version: '1.1' },
      { filename: 'x.whl' },
      { status: 206 },
      { reason: 'x' },
      { details: { bytes: 1235, cached: true } },
      { details: { bytes: '1234', cached: true } },
    ];
    const hashes = new Set(variants.map((variant) => entryHash(GENESIS_HASH, entryFieldsOf(fact(variant)))));
    assert.equal(hashes.size, variants.length);
    assert.ok(!hashes.has(base));
    assert.notEqual(entryHash('1'.repeat(64), entryFieldsOf(fact())), base);
  });

  it('keeps fields apart: moving characters between neighbours changes the hash', () => {
    const a = entryFieldsOf(fact({ project: 'ab', version: 'c' }));
    const b = entryFieldsOf(fact({ project: 'a', version: 'bc' }));
    assert.notEqual(entryHash(GENESIS_HASH, a), entryHash(GENESIS_HASH, b));
  });

  it('replaces NUL characters, which Postgres text cannot store', () => {
    const fields = entryFieldsOf(fact({ userAgent: 'evil\u0000agent', details: { 'k\u0000': 'v\u0000' } }));
    assert.equal(fields.userAgent, 'evil\uFFFDagent');
    assert.deepEqual(fields.details, { 'k\uFFFD': 'v\uFFFD' });
  });
});
