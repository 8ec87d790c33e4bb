import { createHash } from 'node:crypto';
import { ACCESS_FACTS_TOPIC, encodeAccessFacts, type AccessRecorded, type FactDetail } from '@quiver/shared-contracts-identity';
import type { EventBus } from '@quiver/shared-ports';

/** What a report run hands over for publishing: flat counts and its findings (kept small). */
export interface ReportSummary {
  readonly counts: Readonly<Record<string, number>>;
  readonly findings: readonly unknown[];
}

/** At most this many findings travel in one `report.published` fact; the rest is counted (`details.truncated`). */
export const MAX_PUBLISHED_FINDINGS = 50;

/**
 * A UUID derived from what the run is (service, report, scheduled moment): every replica that runs
 * the same schedule makes the same fact id, and the audit log keeps one entry per id.
 */
export function reportFactId(service: string, report: string, scheduledAt: Date): string {
  const hex = createHash('sha256').update(`quiver:report:${service}:${report}:${scheduledAt.toISOString()}`).digest('hex');
  // RFC 9562 version 8 (custom), variant 10.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The `report.published` fact of one run: counts as flat details, findings as one JSON text. */
export function reportPublishedFact(service: string, report: string, scheduledAt: Date, since: Date, summary: ReportSummary): AccessRecorded {
  const kept = summary.findings.slice(0, MAX_PUBLISHED_FINDINGS);
  const details: Record<string, FactDetail> = { report, since: since.toISOString(), until: scheduledAt.toISOString() };
  for (const [name, count] of Object.entries(summary.counts)) {
    details[`count.${name}`] = count;
  }
  details['findings'] = JSON.stringify(kept);
  details['truncated'] = summary.findings.length - kept.length;
  return {
    id: reportFactId(service, report, scheduledAt),
    type: 'AccessRecorded',
    schemaVersion: 1,
    service,
    time: scheduledAt.toISOString(),
    action: 'report.published',
    outcome: 'success',
    actor: `system:${report}`,
    tokenId: null,
    clientAddress: null,
    userAgent: null,
    project: null,
    version: null,
    filename: null,
    status: null,
    reason: null,
    details,
  };
}

export interface ScheduledReportOptions {
  /** `auth` or `audit`: the service the fact comes from. */
  readonly service: string;
  /** `access-review` or `security-report`. */
  readonly report: string;
  readonly bus: EventBus;
  /** The first scheduled moment strictly after a moment (`nextReportRun` of QUIVER_REPORT_SCHEDULE). */
  readonly next: (after: Date) => Date | undefined;
  /** The period one run covers, ending at its scheduled moment. */
  readonly periodMs: number;
  /** Produces the report for `[since, until)`. */
  readonly produce: (since: Date, until: Date) => Promise<ReportSummary>;
  readonly clock?: () => Date;
  readonly onError?: (message: string) => void;
}

/**
 * Runs a report on a schedule and publishes it as a `report.published` access fact (so it reaches
 * the audit log and the public stream). Every replica runs it; the fact id is the same on each, so
 * the log keeps one. `runAt` is the whole of a run, for tests with their own clock.
 */
export class ScheduledReport {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  /** The last moment run: the next run is after it even if the clock has not passed it yet. */
  private lastRun = new Date(0);
  private armedFor: Date | undefined;

  constructor(private readonly options: ScheduledReportOptions) {}

  start(): void {
    this.stopped = false;
    this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** The moment the next run is armed for (undefined: none). */
  get nextRunAt(): Date | undefined {
    return this.armedFor;
  }

  /** Produces and publishes the run scheduled at `scheduledAt`; resolves with the fact published. */
  async runAt(scheduledAt: Date): Promise<AccessRecorded> {
    const since = new Date(scheduledAt.getTime() - this.options.periodMs);
    const fact = reportPublishedFact(this.options.service, this.options.report, scheduledAt, since, await this.options.produce(since, scheduledAt));
    await this.options.bus.publish(ACCESS_FACTS_TOPIC, [{ key: this.options.service, value: encodeAccessFacts([fact]) }]);
    return fact;
  }

  private arm(): void {
    const now = (this.options.clock ?? (() => new Date()))();
    const at = this.options.next(now > this.lastRun ? now : this.lastRun);
    this.armedFor = this.stopped ? undefined : at;
    if (this.stopped || at === undefined) {
      return;
    }
    // Timers hold at most ~24.8 days; a weekly run is always nearer.
    this.timer = setTimeout(() => {
      this.lastRun = at;
      this.running = this.runAt(at)
        .then(() => undefined)
        .catch((error: unknown) => this.options.onError?.(`the scheduled ${this.options.report} failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => this.arm());
    }, Math.max(0, at.getTime() - now.getTime()));
    this.timer.unref();
  }
}
