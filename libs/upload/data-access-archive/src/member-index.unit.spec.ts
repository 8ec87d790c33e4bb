import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArchiveRefusal } from './archive-refusal.js';
import { MemberIndex, type MemberKind } from './member-index.js';

const indexOf = (members: readonly (readonly [string, MemberKind])[]): MemberIndex => {
  const index = new MemberIndex(100);
  for (const [name, kind] of members) {
    index.add(name, kind, 0);
  }
  return index;
};

const refusalOf = (members: readonly (readonly [string, MemberKind])[]): string => {
  try {
    indexOf(members);
  } catch (error) {
    assert.ok(error instanceof ArchiveRefusal);
    return error.message;
  }
  return 'accepted';
};

describe('archive member index', () => {
  it('takes one spelling of a path however often members run through it', () => {
    const index = indexOf([
      ['demo/', 'directory'],
      ['demo/__init__.py', 'file'],
      ['demo/sub/x.py', 'file'],
      ['demo/sub/', 'directory'],
      ['demo-1.0.dist-info/RECORD', 'file'],
    ]);
    assert.equal(index.memberCount, 5);
  });

  it('refuses two spellings of one file, naming both members', () => {
    assert.equal(
      refusalOf([['zc/__init__.py', 'file'], ['zc/__INIT__.py', 'file']]),
      "Invalid distribution file. Archive members 'zc/__init__.py' and 'zc/__INIT__.py' collide on case-insensitive file systems (their names differ only in case or Unicode normalization)",
    );
  });

  it('refuses two spellings of one directory, whether listed or implied', () => {
    assert.equal(
      refusalOf([['zc/a.py', 'file'], ['ZC/b.py', 'file']]),
      "Invalid distribution file. Archive members 'zc/a.py' and 'ZC/b.py' collide on case-insensitive file systems ('zc' and 'ZC' differ only in case or Unicode normalization)",
    );
    assert.match(refusalOf([['zc/a.py', 'file'], ['ZC/', 'directory']]), /^Invalid distribution file\. Archive members 'zc\/a\.py' and 'ZC\/' collide .* \('zc' and 'ZC' differ/);
    assert.match(refusalOf([['Zc/', 'directory'], ['zC/', 'directory']]), /Archive members 'Zc\/' and 'zC\/' collide .* \(their names differ/);
    assert.match(refusalOf([['a/caf\u00e9/x.py', 'file'], ['a/cafe\u0301/y.py', 'file']]), /collide on case-insensitive file systems/);
  });

  it('refuses a file and a directory spelled differently as a collision too', () => {
    assert.match(refusalOf([['docs', 'file'], ['DOCS/index.md', 'file']]), /Archive members 'docs' and 'DOCS\/index\.md' collide/);
  });
});
