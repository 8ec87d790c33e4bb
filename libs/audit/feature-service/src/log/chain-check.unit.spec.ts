import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChainCheck, type ChainVerdict } from './chain-check.js';
import { entryFieldsOf, entryHash, GENESIS_HASH, type AuditEntry } from './entry-hash.js';
import { fact } from './fact.fixture.js';

/** A well-formed chain of `n` entries starting after `prevHash` at `firstSeq`. */
function chain(n: number, firstSeq = 1, prevHash = GENESIS_HASH): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prev = prevHash;
  for (let index = 0; index < n; index += 1) {
    const fields = entryFieldsOf(fact({ id: `fact-${firstSeq + index}`, actor: `user-${index % 3}` }));
    const hash = entryHash(prev, fields);
    entries.push({ ...fields, seq: firstSeq + index, prevHash: prev, hash });
    prev = hash;
  }
  return entries;
}

const head = (entries: readonly AuditEntry[]): { seq: number; hash: string } => {
  const last = entries.at(-1);
  return last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
};

function check(entries: readonly AuditEntry[], chainHead = head(entries), start = { seq: 1, prevHash: GENESIS_HASH }, checkpoints = new Map<number, string>()): ChainVerdict {
  const walk = new ChainCheck(start, checkpoints);
  entries.forEach((entry) => walk.push(entry));
  return walk.finish(chainHead);
}

describe('ChainCheck', () => {
  it('verifies an untouched log with its count, and an empty one', () => {
    assert.deepEqual(check(chain(10)), { ok: true, count: 10 });
    assert.deepEqual(check([]), { ok: true, count: 0 });
  });

  it('names a changed entry', () => {
    const entries = chain(10);
    const changed = entries.map((entry) => (entry.seq === 4 ? { ...entry, actor: 'mallory' } : entry));
    const verdict = check(changed, head(entries));
    assert.equal(verdict.ok, false);
    assert.deepEqual(!verdict.ok && { seq: verdict.firstBroken.seq, reason: verdict.firstBroken.reason, count: verdict.count }, { seq: 4, reason: 'changed', count: 3 });
  });

  it('names a changed entry whose hash was recomputed, at the next entry or the checkpoint', () => {
    const entries = chain(10);
    const forged = entries.map((entry) => (entry.seq === 4 ? { ...entry, actor: 'mallory', hash: entryHash(entry.prevHash, { ...entry, actor: 'mallory' }) } : entry));
    const verdict = check(forged, head(entries));
    assert.deepEqual(!verdict.ok && [verdict.firstBroken.seq, verdict.firstBroken.reason], [5, 'deleted']);
    const atCheckpoint = check(forged, head(entries), undefined, new Map([[4, entries[3]?.hash ?? '']]));
    assert.deepEqual(!atCheckpoint.ok && [atCheckpoint.firstBroken.seq, atCheckpoint.firstBroken.reason], [4, 'changed']);
  });

  it('names a deleted entry, whether the numbers have a gap or were closed up', () => {
    const entries = chain(10);
    const gap = entries.filter((entry) => entry.seq !== 6);
    const verdict = check(gap, head(entries));
    assert.deepEqual(!verdict.ok && [verdict.firstBroken.seq, verdict.firstBroken.reason, verdict.count], [6, 'deleted', 5]);
    const renumbered = gap.map((entry) => (entry.seq > 6 ? { ...entry, seq: entry.seq - 1 } : entry));
    const closed = check(renumbered, { seq: 9, hash: entries[9]?.hash ?? '' });
    assert.deepEqual(!closed.ok && [closed.firstBroken.seq, closed.firstBroken.reason], [6, 'deleted']);
  });

  it('names the last entries deleted, against the chain head', () => {
    const entries = chain(10);
    const verdict = check(entries.slice(0, 8), head(entries));
    assert.deepEqual(!verdict.ok && [verdict.firstBroken.seq, verdict.firstBroken.reason], [9, 'deleted']);
  });

  it('names entries added past the chain head', () => {
    const entries = chain(10);
    const verdict = check(entries, head(entries.slice(0, 8)));
    assert.deepEqual(!verdict.ok && [verdict.firstBroken.seq, verdict.firstBroken.reason], [9, 'changed']);
  });

  it('names two swapped entries as reordered, at the first of them', () => {
    const entries = chain(10);
    const [five, six] = [entries[4], entries[5]] as [AuditEntry, AuditEntry];
    const swapped = entries.map((entry) => (entry.seq === 5 ? { ...six, seq: 5 } : entry.seq === 6 ? { ...five, seq: 6 } : entry));
    const verdict = check(swapped, head(entries));
    assert.deepEqual(!verdict.ok && [verdict.firstBroken.seq, verdict.firstBroken.reason, verdict.count], [5, 'reordered', 4]);
    const [three, eight] = [entries[2], entries[7]] as [AuditEntry, AuditEntry];
    const far = entries.map((entry) => (entry.seq === 3 ? { ...eight, seq: 3 } : entry.seq === 8 ? { ...three, seq: 8 } : entry));
    const farVerdict = check(far, head(entries));
    assert.deepEqual(!farVerdict.ok && [farVerdict.firstBroken.seq, farVerdict.firstBroken.reason], [3, 'reordered']);
  });

  it('verifies a pruned log from the checkpoint it starts after', () => {
    const entries = chain(10);
    const rest = entries.slice(5);
    const start = { seq: 6, prevHash: entries[4]?.hash ?? '' };
    assert.deepEqual(check(rest, head(entries), start), { ok: true, count: 5 });
    const wrongStart = check(rest, head(entries), { seq: 6, prevHash: entries[3]?.hash ?? '' });
    assert.equal(wrongStart.ok, false);
  });
});
