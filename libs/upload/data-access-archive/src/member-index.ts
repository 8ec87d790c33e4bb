import { refusals } from './archive-refusal.js';
import { isUnsafeMemberPath } from './member-path.js';

export type MemberKind = 'file' | 'directory';

/**
 * What an archive holds, by name, kept while its members stream past: refuses unsafe names,
 * duplicates, a name used both as a file and as a directory (`a` and `a/b`: extractors disagree on
 * which wins), and archives with too many members. Holds names only, never contents.
 */
export class MemberIndex {
  private readonly kinds = new Map<string, MemberKind>();
  /** Every directory some member's path runs through, listed or not. */
  private readonly parents = new Set<string>();
  private readonly tops = new Set<string>();
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
