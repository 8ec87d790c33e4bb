import { entryHash, type AuditEntry } from './entry-hash.js';

/** Why an entry breaks the chain. */
export type BrokenReason = 'changed' | 'deleted' | 'reordered';

export interface BrokenEntry {
  readonly seq: number;
  readonly reason: BrokenReason;
  /** What was found, for people. */
  readonly message: string;
}

export type ChainVerdict = { readonly ok: true; readonly count: number } | { readonly ok: false; readonly count: number; readonly firstBroken: BrokenEntry };

/** Where the remaining log starts: seq 1 after 64 zeros, or the entry after a checkpoint. */
export interface ChainStart {
  readonly seq: number;
  readonly prevHash: string;
}

/**
 * Checks a log entry by entry in `seq` order (pure: the caller pages the rows in). The first
 * problem found is the verdict:
 * - `deleted`: a number is missing, the log ends before the chain head, or an entry is intact but
 *   follows a different entry than the one before it (an entry was removed and the rest renumbered);
 * - `changed`: an entry's hash is not the hash of its contents, or differs from its checkpoint;
 * - `reordered`: an entry is intact but stands where another belongs, and that one comes later.
 */
export class ChainCheck {
  private expectedSeq: number;
  private prevHash: string;
  private count = 0;
  private broken: BrokenEntry | undefined;
  /** An intact entry that does not follow its predecessor: the rest of the log tells a swap (the one that belongs there comes later) from a removal. */
  private misplaced: AuditEntry | undefined;

  constructor(
    start: ChainStart,
    /** Checkpoint hashes by seq, compared with the entries they name. */
    private readonly checkpoints: ReadonlyMap<number, string> = new Map(),
  ) {
    this.expectedSeq = start.seq;
    this.prevHash = start.prevHash;
  }

  /** Whether the verdict is known (then further entries change nothing). */
  get done(): boolean {
    return this.broken !== undefined;
  }

  push(entry: AuditEntry): void {
    if (this.broken) {
      return;
    }
    if (this.misplaced) {
      // Looking on for the entry that belongs where the misplaced one stands: found, they were swapped.
      if (entry.prevHash === this.prevHash) {
        const held = this.misplaced;
        this.broken = { seq: held.seq, reason: 'reordered', message: `entry ${held.seq} is intact but out of order: the entry that belongs there is entry ${entry.seq}` };
      }
      return;
    }
    if (entry.seq !== this.expectedSeq) {
      this.broken = { seq: this.expectedSeq, reason: 'deleted', message: `entry ${this.expectedSeq} is missing (the next entry is ${entry.seq})` };
      return;
    }
    if (entryHash(entry.prevHash, entry) !== entry.hash) {
      this.broken = { seq: entry.seq, reason: 'changed', message: `entry ${entry.seq} was changed: its hash does not match its contents` };
      return;
    }
    const checkpoint = this.checkpoints.get(entry.seq);
    if (checkpoint !== undefined && checkpoint !== entry.hash) {
      this.broken = { seq: entry.seq, reason: 'changed', message: `entry ${entry.seq} was rewritten: its hash differs from the checkpoint's` };
      return;
    }
    if (entry.prevHash !== this.prevHash) {
      this.misplaced = entry;
      return;
    }
    this.accept(entry);
  }

  /** The verdict once every entry was pushed; `head` is the chain head's last seq and hash. */
  finish(head: { readonly seq: number; readonly hash: string }): ChainVerdict {
    if (!this.broken && this.misplaced) {
      const held = this.misplaced;
      this.broken = { seq: held.seq, reason: 'deleted', message: `entry ${held.seq} does not follow entry ${held.seq - 1}: an entry between them was removed` };
    }
    if (!this.broken) {
      const last = this.expectedSeq - 1;
      if (head.seq > last) {
        this.broken = { seq: this.expectedSeq, reason: 'deleted', message: `the log ends at entry ${last} but ${head.seq} were appended` };
      } else if (head.seq < last) {
        this.broken = { seq: head.seq + 1, reason: 'changed', message: `entries ${head.seq + 1} to ${last} were added behind the writer's back (the chain head is at ${head.seq})` };
      } else if (head.hash !== this.prevHash) {
        this.broken = { seq: last, reason: 'changed', message: `entry ${last} was rewritten: its hash differs from the chain head's` };
      }
    }
    return this.broken ? { ok: false, count: this.count, firstBroken: this.broken } : { ok: true, count: this.count };
  }

  private accept(entry: AuditEntry): void {
    this.count += 1;
    this.expectedSeq = entry.seq + 1;
    this.prevHash = entry.hash;
  }
}
