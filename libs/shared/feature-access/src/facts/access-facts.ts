import { randomUUID } from 'node:crypto';
import type { AccessAction, AccessOutcome, AccessRecorded, FactDetail } from '@quiver/shared-contracts-identity';

/** Where facts go: a `FactJournal` (or, in tests, an array). */
export interface FactSink {
  record(fact: AccessRecorded): void;
  /** Settles once what was recorded is durable (the journal's group commit); undefined when nothing waits. */
  written?(): Promise<void> | undefined;
}

/** What a door knows of one thing that happened; the rest (id, time, service) is filled in. */
export interface FactInput {
  readonly action: AccessAction;
  readonly outcome: AccessOutcome;
  readonly actor: string;
  readonly tokenId?: string | null;
  readonly clientAddress?: string | null;
  readonly userAgent?: string | null;
  readonly project?: string | null;
  readonly version?: string | null;
  readonly filename?: string | null;
  readonly status?: number | null;
  readonly reason?: string | null;
  readonly details?: Readonly<Record<string, FactDetail>>;
}

/** One key of the page-read counter: who read which project's pages. */
export interface PageRead {
  readonly project: string;
  readonly actor: string;
  readonly tokenId: string | null;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
}

interface PageCount extends PageRead {
  count: number;
  readonly since: string;
}

/** User agents are kept this long at most (a client may send anything). */
const MAX_USER_AGENT = 256;

/**
 * One service's access facts: each `record()` is one `AccessRecorded` fact, made and handed to the
 * sink (the journal) at once. Project-page and JSON reads are counted instead, one `pages.read`
 * fact per project, actor and token per interval (`details.count`), flushed on `stop()`.
 */
export class AccessFacts {
  private reads = new Map<string, PageCount>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(
    readonly service: string,
    private readonly sink: FactSink,
    private readonly options: { readonly pageReadIntervalMs?: number; readonly now?: () => Date } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Settles once every fact recorded so far is durable; undefined when none waits (answer only after it). */
  written(): Promise<void> | undefined {
    return this.sink.written?.();
  }

  record(input: FactInput): void {
    const userAgent = input.userAgent ?? null;
    this.sink.record({
      id: randomUUID(),
      type: 'AccessRecorded',
      schemaVersion: 1,
      service: this.service,
      time: this.now().toISOString(),
      action: input.action,
      outcome: input.outcome,
      actor: input.actor,
      tokenId: input.tokenId ?? null,
      clientAddress: input.clientAddress ?? null,
      userAgent: userAgent !== null && userAgent.length > MAX_USER_AGENT ? userAgent.slice(0, MAX_USER_AGENT) : userAgent,
      project: input.project ?? null,
      version: input.version ?? null,
      filename: input.filename ?? null,
      status: input.status ?? null,
      reason: input.reason ?? null,
      details: input.details ?? {},
    });
  }

  /** Counts one page read; the first of a key in an interval keeps its address and user agent. */
  countPageRead(read: PageRead): void {
    const key = `${read.project}\u0000${read.actor}\u0000${read.tokenId ?? ''}`;
    const counted = this.reads.get(key);
    if (counted) {
      counted.count += 1;
      return;
    }
    this.reads.set(key, { ...read, count: 1, since: this.now().toISOString() });
  }

  /** Starts the page-read interval (default 60 s). */
  start(): void {
    this.timer = setInterval(() => this.flushPageReads(), this.options.pageReadIntervalMs ?? 60_000);
    this.timer.unref();
  }

  /** Records the counted page reads and stops counting by interval (reads still counted are flushed by the next call). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.flushPageReads();
  }

  /** One `pages.read` fact per key counted since the last flush. */
  flushPageReads(): void {
    const counted = this.reads;
    this.reads = new Map();
    for (const read of counted.values()) {
      this.record({
        action: 'pages.read',
        outcome: 'success',
        actor: read.actor,
        tokenId: read.tokenId,
        clientAddress: read.clientAddress,
        userAgent: read.userAgent,
        project: read.project,
        status: 200,
        details: { count: read.count, since: read.since },
      });
    }
  }
}
