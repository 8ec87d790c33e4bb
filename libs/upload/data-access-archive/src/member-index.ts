import { refusals } from './archive-refusal.js';
import { caseInsensitiveKey, isUnsafeMemberPath } from './member-path.js';

export type MemberKind = 'file' | 'directory';

/**
 * What an archive holds, by name, kept while its members stream past: refuses unsafe names,
 * duplicates, a name used both as a file and as a directory (`a` and `a/b`: extractors disagree on
 * which wins), paths spelled two ways that a case-insensitive file system takes as one (`a/x.py`
 * and `A/X.py`), and archives with too many members. Holds names only, never contents.
 */
export class MemberIndex {
  private readonly kinds = new Map<string, MemberKind>();
  /** Every directory some member's path runs through, listed or not. */
  private readonly parents = new Set<string>();
  private readonly tops = new Set<string>();
  /** Each path (a member, or a directory on the way to one) by its case-insensitive key: its spelling and the member that brought it. */
  private readonly spellings = new Map<string, { readonly path: string; readonly member: string; readonly whole: boolean }>();
  /** The paths already in `spellings`, as spelled: a directory many members share is folded once. */
  private readonly spelled = new Set<string>();
  private total = 0;

  constructor(private readonly maxMembers: number) {}

  /** Records a member; `name` is as stored (a directory may end with `/`). Returns the clean name. */
  add(name: string, kind: MemberKind, size: number): string {
    if (this.kinds.size >= this.maxMembers) {
      throw refusals.memberLimit();
    }
    const clean = kind === 'directory' && name.endsWith('/') ? name.slice(0, -1) : name;
    if (isUnsafeMemberPath(clean)) {
      throw refusals.memberNotAllowed(name);
    }
    if (this.kinds.has(clean)) {
      throw refusals.duplicate(name);
    }
    this.checkNoFileDirectoryClash(clean, kind, name);
    this.checkNoCaseCollision(clean, name);
    this.kinds.set(clean, kind);
    this.tops.add(clean.split('/', 1)[0] ?? clean);
    this.total += size;
    return clean;
  }

  private checkNoFileDirectoryClash(clean: string, kind: MemberKind, name: string): void {
    if (kind === 'file' && this.parents.has(clean)) {
      throw refusals.pathConflict(name);
    }
    for (let slash = clean.indexOf('/'); slash >= 0; slash = clean.indexOf('/', slash + 1)) {
      const parent = clean.slice(0, slash);
      if (this.kinds.get(parent) === 'file') {
        throw refusals.pathConflict(parent);
      }
      this.parents.add(parent);
    }
  }

  private checkNoCaseCollision(clean: string, name: string): void {
    for (let end = clean.indexOf('/'); ; end = clean.indexOf('/', end + 1)) {
      const path = end < 0 ? clean : clean.slice(0, end);
      if (!this.spelled.has(path)) {
        const key = caseInsensitiveKey(path);
        const seen = this.spellings.get(key);
        if (seen !== undefined) {
          throw refusals.caseCollision(seen.member, name, seen.whole && path === clean ? undefined : [seen.path, path]);
        }
        this.spellings.set(key, { path, member: name, whole: path === clean });
        this.spelled.add(path);
      }
      if (end < 0) {
        return;
      }
    }
  }

  hasFile(name: string): boolean {
    return this.kinds.get(name) === 'file';
  }

  get memberCount(): number {
    return this.kinds.size;
  }

  /** Sum of the members' uncompressed sizes. */
  get uncompressedSize(): number {
    return this.total;
  }

  /** First path segments of every member. */
  get topLevel(): ReadonlySet<string> {
    return this.tops;
  }
}
