import { refusals } from './archive-refusal.js';
import { isUnsafeMemberPath } from './member-path.js';

export type MemberKind = 'file' | 'directory';

/**
 * What an archive holds, by name, kept while its members stream past: refuses unsafe names,
 * duplicates and archives with too many members. Holds names only, never contents.
 */
export class MemberIndex {
  private readonly kinds = new Map<string, MemberKind>();
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
    this.kinds.set(clean, kind);
    this.tops.add(clean.split('/', 1)[0] ?? clean);
    this.total += size;
    return clean;
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
